package dev.umbra.signatures;

import java.util.Collection;
import java.util.function.Function;

/*
 * Design notes.
 *
 * Every rule is stored under its domain in an open-addressing table. Keys are hashed right to left
 * (h = h * 31 + c, starting at the last character), so while a host name is scanned from its end
 * the hash of every suffix is available without building a substring: at each label boundary the
 * suffix [i, end) is looked up by its running hash and compared in place, ASCII case folded.
 * The last (longest) hit is the most specific rule. A miss allocates nothing; a hit returns a
 * Match built when the table was built.
 *
 * Names with non-ASCII characters take a slow path through IDN conversion (allocates).
 */
final class SuffixHashHostMatcher implements HostMatcher {
    private final String[] keys;
    private final int[] hashes;
    private final Match[] suffixMatches;
    private final Match[] exactMatches;
    private final int mask;

    SuffixHashHostMatcher(Collection<AiService> services, Function<AiService, Verdict> verdicts) {
        int rules = 0;
        for (AiService s : services) {
            rules += s.domains().size();
        }
        int capacity = Integer.highestOneBit(Math.max(16, rules * 3)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        suffixMatches = new Match[capacity];
        exactMatches = new Match[capacity];
        mask = capacity - 1;
        for (AiService s : services) {
            Verdict verdict = verdicts.apply(s);
            for (DomainPattern p : s.domains()) {
                put(p, new Match(s, p, verdict));
            }
        }
    }

    private void put(DomainPattern pattern, Match match) {
        String key = pattern.domain();
        int h = 0;
        for (int i = key.length() - 1; i >= 0; i--) {
            h = h * 31 + key.charAt(i);
        }
        int slot = spread(h) & mask;
        while (keys[slot] != null && !(hashes[slot] == h && keys[slot].equals(key))) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        hashes[slot] = h;
        Match[] table = pattern.exact() ? exactMatches : suffixMatches;
        Match previous = table[slot];
        if (previous != null && !previous.service().id().equals(match.service().id())) {
            throw new IllegalArgumentException("domain pattern " + pattern + " claimed by both "
                    + previous.service().id() + " and " + match.service().id());
        }
        table[slot] = match;
    }

    @Override
    public Match match(CharSequence host) {
        if (host == null) {
            return null;
        }
        int end = host.length();
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        if (end == 0 || end > HostNames.MAX_NAME_LENGTH) {
            return null;
        }
        Match best = null;
        int h = 0;
        for (int i = end - 1; i >= 0; i--) {
            char c = host.charAt(i);
            if (c >= 0x80) {
                return matchNonAscii(host);
            }
            h = h * 31 + lower(c);
            if (i == 0 || host.charAt(i - 1) == '.') {
                int slot = find(h, host, i, end);
                if (slot >= 0) {
                    Match exact = i == 0 ? exactMatches[slot] : null;
                    Match hit = exact != null ? exact : suffixMatches[slot];
                    if (hit != null) {
                        best = hit;
                    }
                }
            }
        }
        return best;
    }

    private Match matchNonAscii(CharSequence host) {
        String normalized = HostNames.normalize(host);
        if (normalized == null) {
            return null;
        }
        for (int i = 0; i < normalized.length(); i++) {
            if (normalized.charAt(i) >= 0x80) {
                return null;
            }
        }
        return match(normalized);
    }

    private int find(int h, CharSequence host, int from, int end) {
        int slot = spread(h) & mask;
        int length = end - from;
        String key;
        while ((key = keys[slot]) != null) {
            if (hashes[slot] == h && key.length() == length && regionEquals(key, host, from)) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private static boolean regionEquals(String key, CharSequence host, int from) {
        for (int k = 0; k < key.length(); k++) {
            if (key.charAt(k) != lower(host.charAt(from + k))) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    private static int spread(int h) {
        return h ^ (h >>> 16);
    }
}
