package dev.umbra.sensor.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReassemblyBufferTest {
    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void put_piecesInAnyOrder_growContiguousPrefixOnlyWhenGapsClose() {
        byte[] data = bytes(5000, 1);
        ReassemblyBuffer r = new ReassemblyBuffer(8192);
        r.put(3000, data, 3000, 2000);
        assertThat(r.contiguous()).isZero();
        r.put(0, data, 0, 1000);
        assertThat(r.contiguous()).isEqualTo(1000);
        r.put(1000, data, 1000, 2000);
        assertThat(r.contiguous()).isEqualTo(5000);
        assertThat(Arrays.copyOf(r.array(), 5000)).isEqualTo(data);
    }

    @Test
    void put_overlappingRetransmission_keepsFirstCopy() {
        ReassemblyBuffer r = new ReassemblyBuffer(64);
        r.put(0, new byte[] {1, 2, 3, 4}, 0, 4);
        r.put(2, new byte[] {9, 9, 9, 9}, 0, 4);
        assertThat(Arrays.copyOf(r.array(), 6)).containsExactly(1, 2, 3, 4, 9, 9);
    }

    @Test
    void put_beyondCap_keepsWhatFitsAndSaysSo() {
        ReassemblyBuffer r = new ReassemblyBuffer(100);
        assertThat(r.put(90, new byte[20], 0, 20)).isFalse();
        assertThat(r.highest()).isEqualTo(100);
        assertThat(r.put(500, new byte[20], 0, 20)).isFalse();
        assertThat(r.put(-1, new byte[1], 0, 1)).isFalse();
    }

    @Test
    void discard_readPrefix_renumbersTheRest() {
        byte[] data = bytes(300, 2);
        ReassemblyBuffer r = new ReassemblyBuffer(256);
        r.put(0, data, 0, 100);
        r.put(150, data, 150, 50);
        r.discard(60);
        assertThat(r.contiguous()).isEqualTo(40);
        assertThat(r.highest()).isEqualTo(140);
        r.put(40, data, 100, 50);
        assertThat(r.contiguous()).isEqualTo(140);
        assertThat(Arrays.copyOf(r.array(), 140)).isEqualTo(Arrays.copyOfRange(data, 60, 200));
        assertThatThrownBy(() -> r.discard(500)).hasMessageContaining("500");
    }

    @Test
    void constructor_zeroCap_throwsNamingTheValue() {
        assertThatThrownBy(() -> new ReassemblyBuffer(0)).hasMessageContaining("0");
    }
}
