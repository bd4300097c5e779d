package dev.umbra.sensor.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ContainerIdTest {
    private static final String ID = "3f2a9c1b0d4e5f6a".repeat(4);

    @Test
    void fromCgroup_theRuntimesPaths_giveTheirRuntimeAndId() {
        assertThat(of("12:pids:/docker/" + ID)).isEqualTo("docker://" + ID);
        assertThat(of("0::/system.slice/docker-" + ID + ".scope")).isEqualTo("docker://" + ID);
        assertThat(of("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901"
                + ".slice/cri-containerd-" + ID + ".scope")).isEqualTo("containerd://" + ID);
        assertThat(of("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-poda.slice/crio-" + ID + ".scope"))
                .isEqualTo("cri-o://" + ID);
        assertThat(of("4:memory:/kubepods/burstable/pod1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901/" + ID))
                .isEqualTo("kubernetes://" + ID);
        assertThat(of("0::/machine.slice/libpod-" + ID + ".scope/container")).isEqualTo("podman://" + ID);
        assertThat(of("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope"))
                .isEqualTo("podman://" + ID);
        assertThat(of("0::/default/" + ID)).isEqualTo("containerd://" + ID);
        assertThat(of("0::/lxc.payload.web01")).isEqualTo("lxc://web01");
        assertThat(of("3:cpu:/lxc/web02")).isEqualTo("lxc://web02");
    }

    @Test
    void fromCgroup_theFirstLineNamingAContainerCounts() {
        assertThat(ContainerId.fromCgroup(List.of("9:name=systemd:/", "4:memory:/docker/" + ID, "0::/")))
                .isEqualTo(new ContainerId("docker", ID));
    }

    @Test
    void fromCgroup_hostProcessesAndLookAlikes_none() {
        assertThat(ContainerId.fromCgroup(List.of("0::/", "0::/system.slice/ssh.service",
                "0::/user.slice/user-1000.slice/session-3.scope", "4:memory:/process_api/fd1d567f650695e3121e5b3a6f7ad53a",
                // not 64 lowercase hex digits
                "0::/system.slice/docker-" + ID.substring(1) + ".scope", "0::/docker/" + ID.toUpperCase(),
                "0::/docker/" + ID + "0", "0::/system.slice/docker.service", "0::/" + ID,
                "no colons here", "", ":", "::", "0::/lxc.payload."))).isNull();
        assertThat(ContainerId.fromCgroup(List.of())).isNull();
    }

    @Test
    void fromCgroup_randomAndCutLines_neverThrow() {
        Random r = new Random(20261122);
        String[] pieces = {"/", ":", "docker", "docker-", ".scope", "kubepods", "lxc", "lxc.payload.", "crio-",
            "libpod-", "cri-containerd-", ID, ID.substring(7), "default", "0", "\u0000", "é"};
        for (int i = 0; i < 200_000; i++) {
            List<String> lines = new ArrayList<>();
            for (int l = r.nextInt(4); l >= 0; l--) {
                StringBuilder b = new StringBuilder();
                for (int p = r.nextInt(12); p > 0; p--) {
                    b.append(pieces[r.nextInt(pieces.length)]);
                }
                String line = b.toString();
                lines.add(line.substring(0, r.nextInt(line.length() + 1)));
            }
            ContainerId c = ContainerId.fromCgroup(lines);
            if (c != null) {
                assertThat(c.runtime()).isIn("docker", "containerd", "cri-o", "podman", "lxc", "kubernetes");
                assertThat(c.id()).isNotEmpty();
            }
        }
    }

    private static String of(String line) {
        ContainerId c = ContainerId.fromCgroup(List.of(line));
        return c == null ? null : c.toString();
    }
}
