package dev.umbra.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Lifecycle of the daemon with fake components (unit test; the end-to-end test runs the real ones). */
class DaemonTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    private Component fake(String name, boolean failsToStart) {
        return new Component() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() throws Exception {
                if (failsToStart) {
                    throw new java.io.IOException("port 9464 in use");
                }
                events.add("start " + name);
            }

            @Override
            public void reload() {
                events.add("reload " + name);
            }

            @Override
            public void stop(Duration timeout) {
                events.add("stop " + name);
            }
        };
    }

    @Test
    void startStop_startsInOrderAndStopsInReverse() throws Exception {
        Daemon d = new Daemon(List.of(fake("sink", false), fake("capture", false)), Duration.ofSeconds(1));
        assertThat(d.notReady()).isEqualTo("starting");
        d.start();
        assertThat(d.notReady()).isNull();
        d.reload();
        d.stop();
        assertThat(events).containsExactly("start sink", "start capture", "reload sink", "reload capture",
                "stop capture", "stop sink");
        assertThat(d.notReady()).isEqualTo("stopping");
    }

    @Test
    void start_componentFails_stopsTheStartedOnesAndNamesTheFailure() {
        Daemon d = new Daemon(List.of(fake("sink", false), fake("metrics 127.0.0.1:9464", true), fake("capture", false)),
                Duration.ofSeconds(1));
        assertThatThrownBy(d::start).isInstanceOf(Daemon.StartException.class)
                .hasMessage("metrics 127.0.0.1:9464: port 9464 in use");
        assertThat(events).containsExactly("start sink", "stop sink");
    }

    @Test
    void requestStop_releasesTheWaiter() throws Exception {
        Daemon d = new Daemon(List.of(), Duration.ofSeconds(1));
        assertThat(d.awaitStopRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)).isFalse();
        d.requestStop();
        assertThat(d.awaitStopRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
    }
}
