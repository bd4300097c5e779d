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

    @Test
    void reuse_afterData_startsEmptyWithTheNewCap() {
        ReassemblyBuffer r = new ReassemblyBuffer(4096);
        r.put(0, bytes(3000, 3), 0, 3000);
        r.reuse(100);
        assertThat(r.contiguous()).isZero();
        assertThat(r.highest()).isZero();
        assertThat(r.cap()).isEqualTo(100);
        assertThat(r.put(50, new byte[10], 0, 10)).isTrue();
        assertThat(r.contiguous()).isZero();
        assertThat(r.put(90, new byte[20], 0, 20)).isFalse();
        assertThatThrownBy(() -> r.reuse(-3)).hasMessageContaining("-3");
    }

    /** Puts, discards and reuses at random, checked against a byte-by-byte model. */
    @Test
    void put_randomPiecesAndDiscards_matchesSimpleModel() {
        Random rnd = new Random(20261121);
        byte[] source = bytes(70_000, 4);
        for (int round = 0; round < 200; round++) {
            int cap = 1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 9000);
            ReassemblyBuffer r = new ReassemblyBuffer(cap);
            byte[] model = new byte[cap];
            boolean[] present = new boolean[cap];
            int highest = 0;
            for (int op = 0; op < 60; op++) {
                if (rnd.nextInt(10) == 0 && r.contiguous() > 0) {
                    int n = 1 + rnd.nextInt(r.contiguous());
                    r.discard(n);
                    System.arraycopy(model, n, model, 0, cap - n);
                    System.arraycopy(present, n, present, 0, cap - n);
                    Arrays.fill(present, cap - n, cap, false);
                    highest -= n;
                    continue;
                }
                int offset = rnd.nextInt(cap + 10);
                int len = rnd.nextInt(Math.min(2000, cap) + 1);
                int from = rnd.nextInt(source.length - len);
                boolean whole = r.put(offset, source, from, len);
                int end = Math.min(offset + len, cap);
                for (int i = offset; i < end; i++) {
                    if (!present[i]) {
                        present[i] = true;
                        model[i] = source[from + i - offset];
                    }
                }
                if (offset < cap) {
                    highest = Math.max(highest, end);
                }
                assertThat(whole).isEqualTo(offset + len <= cap || (offset >= cap && len == 0));
                int contiguous = 0;
                while (contiguous < cap && present[contiguous]) {
                    contiguous++;
                }
                assertThat(r.contiguous()).isEqualTo(contiguous);
                assertThat(r.highest()).isEqualTo(highest);
                for (int i = 0; i < highest; i++) {
                    if (present[i] && r.array()[i] != model[i]) {
                        throw new AssertionError("byte " + i + " differs in round " + round + " op " + op);
                    }
                }
            }
        }
    }
}
