package dev.umbra.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Lifecycle of the daemon with fake components (unit test; the end-to-end test runs the real ones). */
class DaemonTest {
    private final List<String> events = new CopyOnWriteArrayList<>();

    private Component fake(String name, boolean failsToStart) {
        return fake(name, failsToStart, null, null);
    }

    private Component fake(String name, boolean failsToStart, String group, CountDownLatch together) {
        return fake(name, failsToStart ? new java.io.IOException("port 9464 in use") : null, group, together);
    }

    private Component fake(String name, Throwable failure, String group, CountDownLatch together) {
        return new Component() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String startGroup() {
                return group;
            }

            @Override
            public void start() throws Exception {
                if (together != null) {
                    together.countDown();
                    if (!together.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException(name + " started alone");
                    }
                }
                if (failure instanceof Exception e) {
                    throw e;
                }
                if (failure instanceof Error e) {
                    throw e;
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
    void start_sameStartGroup_startsTogetherAndGroupsInOrder() throws Exception {
        CountDownLatch sinks = new CountDownLatch(2);
        CountDownLatch sources = new CountDownLatch(2);
        Daemon d = new Daemon(List.of(fake("catalog", false, "sinks", sinks), fake("metrics", false, "sinks", sinks),
                fake("capture eth0", false, "sources", sources), fake("capture eth1", false, "sources", sources)),
                Duration.ofSeconds(1));
        d.start();
        assertThat(d.notReady()).isNull();
        // each member waited for the other: they ran at the same time; the sources only after both sinks
        assertThat(events.subList(0, 2)).containsExactlyInAnyOrder("start catalog", "start metrics");
        assertThat(events.subList(2, 4)).containsExactlyInAnyOrder("start capture eth0", "start capture eth1");
        d.stop();
        assertThat(events.subList(4, 8)).containsExactlyInAnyOrder("stop catalog", "stop metrics", "stop capture eth0",
                "stop capture eth1");
        assertThat(events.subList(6, 8)).containsExactlyInAnyOrder("stop catalog", "stop metrics");
    }

    @Test
    void start_memberOfAGroupFails_stopsItsNeighboursAndEarlierGroupsStartsNothingLater() {
        CountDownLatch sources = new CountDownLatch(2);
        Daemon d = new Daemon(List.of(fake("sink", false), fake("capture eth0", false, "sources", sources),
                fake("metrics 127.0.0.1:9464", true, "sources", sources), fake("last", false)), Duration.ofSeconds(1));
        assertThatThrownBy(d::start).isInstanceOf(Daemon.StartException.class)
                .hasMessage("metrics 127.0.0.1:9464: port 9464 in use");
        assertThat(events).containsExactly("start sink", "start capture eth0", "stop capture eth0", "stop sink");
    }

    @Test
    void start_componentThrowsALinkageError_isAStartFailureAloneAndInAGroup() {
        NoClassDefFoundError missing = new NoClassDefFoundError("dev/umbra/classifier/icap/IcapScope");
        Daemon alone = new Daemon(List.of(fake("sink", false), fake("icap 127.0.0.1:1344", missing, null, null)),
                Duration.ofSeconds(1));
        assertThatThrownBy(alone::start).isInstanceOf(Daemon.StartException.class)
                .hasMessage("icap 127.0.0.1:1344: dev/umbra/classifier/icap/IcapScope").hasCause(missing);
        assertThat(events).containsExactly("start sink", "stop sink");

        events.clear();
        CountDownLatch sources = new CountDownLatch(2);
        Daemon grouped = new Daemon(List.of(fake("sink", false), fake("capture eth0", null, "sources", sources),
                fake("icap 127.0.0.1:1344", missing, "sources", sources)), Duration.ofSeconds(1));
        assertThatThrownBy(grouped::start).isInstanceOf(Daemon.StartException.class)
                .hasMessage("icap 127.0.0.1:1344: dev/umbra/classifier/icap/IcapScope");
        assertThat(events).containsExactly("start sink", "start capture eth0", "stop capture eth0", "stop sink");
        assertThat(grouped.notReady()).isNotNull();
    }

    @Test
    void requestStop_releasesTheWaiter() throws Exception {
        Daemon d = new Daemon(List.of(), Duration.ofSeconds(1));
        assertThat(d.awaitStopRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)).isFalse();
        d.requestStop();
        assertThat(d.awaitStopRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();
    }
}
