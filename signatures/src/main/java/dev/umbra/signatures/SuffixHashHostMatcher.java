package dev.umbra.signatures;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/*
 * Design notes.
 *
 * Every rule is stored under a key in an open-addressing table: its domain for suffix and exact
 * rules, its anchor (the literal labels right of the rightmost '*') for wildcard rules. Keys are
 * hashed right to left (h = h * 31 + (c | 0x20), starting at the last character; the OR lowercases
 * ASCII letters without a branch, and may only make other characters collide), so while a host name
 * is scanned from its end the hash of every suffix is available without building a substring: at
 * each '.' the suffix right of it is looked up by its running hash and compared in place, ASCII
 * case folded.
 *
 * Most specific wins: a candidate's specificity is where its match starts in the host (further left
 * is more specific). Literal (suffix or exact) hits are found at decreasing boundaries, so the last
 * one is the longest. A wildcard rule anchored at boundary i is checked leftwards from i, label by
 * label, in place (a '*' label accepts any non-empty label, a '*-x' label any label ending in '-x'
 * with at least one character before it); its match starts further left than i. At the same start,
 * a literal rule beats a wildcard rule, and an exact rule beats a suffix rule.
 *
 * Every label-boundary suffix of a key is itself a key (with no rules), so the scan stops at the
 * first suffix that is not one: no rule can match anything longer. Most misses end there after one
 * or two labels (www.example.org: "org", then "example.org" is no key: done). Keys without rules
 * are not compared character by character (see Entry).
 *
 * Layout: the probe table holds one long per slot, (hash << 32) | (entry index + 1); the Entry (key
 * bytes and rules) is read only when the hash matches. Wildcard rules of one anchor are grouped and
 * keyed by their first literal label (see WildcardGroup).
 *
 * A miss allocates nothing. A hit returns a Match built with the table: one per rule and verdict,
 * so the policy-aware lookup picks the verdict's Match without allocating either (except one
 * 16-byte array to parse an IPv6 client, see Policy).
 *
 * Names with non-ASCII characters take a slow path through IDN conversion (allocates).
 */
final class SuffixHashHostMatcher implements HostMatcher {
    private static final int ANY = 1;
    private static final int ENDS_WITH = 2;

    /** One domain pattern of one service, with its precomputed matches. */
    private static final class Rule {
        final AiService service;
        final Match base;
        final Match[] byVerdict;
        /** The service's verdicts when they depend on the client, else null (base answers). */
        final Policy.ServiceVerdicts verdicts;
        /** Wildcard rules: the labels left of the anchor, right to left; literal text or the part after '*'. */
        final String[] labels;
        final int[] kinds;
        final boolean exact;
        /** Position (right to left, 0 next to the anchor) of the first literal label, or -1. */
        final int keyIndex;

        Rule(AiService service, DomainPattern pattern, Policy.ServiceVerdicts verdicts) {
            this.service = service;
            this.verdicts = verdicts.dependsOnClient() ? verdicts : null;
            Verdict base = verdicts.base();
            this.byVerdict = new Match[Verdict.values().length];
            for (Verdict v : Verdict.values()) {
                byVerdict[v.ordinal()] = new Match(service, pattern, v);
            }
            this.base = byVerdict[base.ordinal()];
            this.exact = pattern.exact();
            if (pattern.isWildcard()) {
                String anchor = pattern.anchor();
                String left = pattern.domain().substring(0, pattern.domain().length() - anchor.length() - 1);
                String[] parts = left.split("\\.");
                labels = new String[parts.length];
                kinds = new int[parts.length];
                for (int k = 0; k < parts.length; k++) {
                    String label = parts[parts.length - 1 - k];
                    if (label.equals("*")) {
                        kinds[k] = ANY;
                        labels[k] = "";
                    } else if (label.startsWith("*")) {
                        kinds[k] = ENDS_WITH;
                        labels[k] = label.substring(1);
                    } else {
                        labels[k] = label;
                    }
                }
                int key = -1;
                for (int k = 0; k < kinds.length && key < 0; k++) {
                    if (kinds[k] == 0) {
                        key = k;
                    }
                }
                keyIndex = key;
            } else {
                labels = null;
                kinds = null;
                keyIndex = -1;
            }
        }
    }

    /** A self-hosted runtime known by a port and its path rules, with its precomputed matches. */
    private static final class RuntimeRule {
        final AiService service;
        final Match base;
        final Match[] byVerdict;
        final Policy.ServiceVerdicts verdicts;

        RuntimeRule(AiService service, int port, Policy.ServiceVerdicts verdicts) {
            this.service = service;
            this.verdicts = verdicts.dependsOnClient() ? verdicts : null;
            this.byVerdict = new Match[Verdict.values().length];
            for (Verdict v : Verdict.values()) {
                byVerdict[v.ordinal()] = new Match(service, null, v, port);
            }
            this.base = byVerdict[verdicts.base().ordinal()];
        }
    }

    /**
     * The wildcard rules sharing one anchor. Rules with a literal label are found through a small
     * hash table keyed by that label (at its position left of the anchor): Amazon's 40-odd
     * {@code <service>.*.amazonaws.com} rules cost one probe, not 40 checks. Rules without one
     * ({@code *-aiplatform.googleapis.com}) are checked one by one.
     */
    private static final class WildcardGroup {
        final Rule[] linear;
        final int keyIndex;
        final int[] keyHashes;
        final Rule[][] keyed;
        final int keyMask;

        WildcardGroup(List<Rule> rules) {
            List<Rule> lin = new ArrayList<>();
            int index = -1;
            List<Rule> withKey = new ArrayList<>();
            for (Rule r : rules) {
                // one key position per anchor (the most common); rules keyed elsewhere stay linear
                if (r.keyIndex >= 0 && (index < 0 || r.keyIndex == index)) {
                    index = r.keyIndex;
                    withKey.add(r);
                } else {
                    lin.add(r);
                }
            }
            linear = lin.toArray(new Rule[0]);
            keyIndex = index;
            int capacity = Integer.highestOneBit(Math.max(4, withKey.size() * 2)) << 1;
            keyHashes = new int[capacity];
            keyed = new Rule[capacity][];
            keyMask = capacity - 1;
            for (Rule r : withKey) {
                String label = r.labels[index];
                int h = 0;
                for (int c = 0; c < label.length(); c++) {
                    h = h * 31 + (label.charAt(c) | 0x20);
                }
                int slot = spread(h) & keyMask;
                while (keyed[slot] != null && !(keyHashes[slot] == h && keyed[slot][0].labels[index].equals(label))) {
                    slot = (slot + 1) & keyMask;
                }
                Rule[] list = keyed[slot];
                Rule[] grown = list == null ? new Rule[1] : java.util.Arrays.copyOf(list, list.length + 1);
                grown[grown.length - 1] = r;
                keyed[slot] = grown;
                keyHashes[slot] = h;
            }
        }
    }

    /*
     * Lookup structures: an open-addressing table of longs, (hash << 32) | (key index + 1), 0 for an
     * empty slot, so that a probe touches one 8-byte word; the key and its rules are in dense arrays
     * read only when the hash matches.
     */
    private final long[] table;
    private final Entry[] entries;
    private final int mask;
    /** Self-hosted runtimes by server port (those with path rules), for {@link #matchRuntime}. */
    private final Map<Integer, RuntimeRule[]> runtimes;

    /**
     * One key and its rules; the key as ASCII bytes, compared in place. A key without rules only
     * tells the scan to go on, so a hash and length match is enough for it ({@code verify} false):
     * a false match only makes the scan look one label further. Keys with rules, and keys sharing
     * hash and length with another key, are always compared.
     */
    private static final class Entry {
        final byte[] key;
        final Rule suffix;
        final Rule exact;
        final WildcardGroup wild;
        final boolean verify;

        Entry(String key, Rule suffix, Rule exact, WildcardGroup wild, boolean twin) {
            this.key = key.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            this.suffix = suffix;
            this.exact = exact;
            this.wild = wild;
            this.verify = twin || suffix != null || exact != null || wild != null;
        }
    }

    /* Build-time structures, indexed by slot; dropped once the lookup structures are made. */
    private String[] keys;
    private int[] hashes;
    private Rule[] suffixRules;
    private Rule[] exactRules;
    private WildcardGroup[] wildcardRules;
    private List<List<Rule>> pendingWildcards = new ArrayList<>();
    private int[] pendingSlot;

    SuffixHashHostMatcher(Collection<AiService> services, Policy policy) {
        int rules = 0;
        for (AiService s : services) {
            rules += s.domains().size();
        }
        int capacity = Integer.highestOneBit(Math.max(16, rules * 4)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        suffixRules = new Rule[capacity];
        exactRules = new Rule[capacity];
        wildcardRules = new WildcardGroup[capacity];
        pendingSlot = new int[capacity];
        java.util.Arrays.fill(pendingSlot, -1);
        mask = capacity - 1;
        Map<Integer, List<RuntimeRule>> byPort = new HashMap<>();
        for (AiService s : services) {
            Policy.ServiceVerdicts verdicts = policy.verdicts(s);
            for (DomainPattern p : s.domains()) {
                put(p, new Rule(s, p, verdicts));
            }
            if (!s.paths().isEmpty()) { // a port alone does not say which software listens there
                for (int port : s.ports()) {
                    byPort.computeIfAbsent(port, k -> new ArrayList<>()).add(new RuntimeRule(s, port, verdicts));
                }
            }
        }
        runtimes = new HashMap<>();
        byPort.forEach((port, list) -> runtimes.put(port, list.toArray(new RuntimeRule[0])));
        // every label-boundary suffix of a key is a key too (without rules), so that a scan can stop
        // at the first suffix no rule can extend: most misses end after one or two labels
        for (int slot = 0; slot < capacity; slot++) {
            String key = keys[slot];
            if (key != null) {
                for (int dot = key.indexOf('.'); dot >= 0; dot = key.indexOf('.', dot + 1)) {
                    slotFor(key.substring(dot + 1));
                }
            }
        }
        for (int slot = 0; slot < capacity; slot++) {
            if (pendingSlot[slot] >= 0) {
                wildcardRules[slot] = new WildcardGroup(pendingWildcards.get(pendingSlot[slot]));
            }
        }
        int count = 0;
        for (String key : keys) {
            if (key != null) {
                count++;
            }
        }
        table = new long[capacity];
        entries = new Entry[count];
        java.util.Map<Long, Integer> twins = new java.util.HashMap<>();
        for (int slot = 0; slot < capacity; slot++) {
            if (keys[slot] != null) {
                twins.merge(((long) hashes[slot] << 32) | keys[slot].length(), 1, Integer::sum);
            }
        }
        int k = 0;
        for (int slot = 0; slot < capacity; slot++) {
            if (keys[slot] != null) {
                table[slot] = ((long) hashes[slot] << 32) | (k + 1);
                boolean twin = twins.get(((long) hashes[slot] << 32) | keys[slot].length()) > 1;
                entries[k] = new Entry(keys[slot], suffixRules[slot], exactRules[slot], wildcardRules[slot], twin);
                k++;
            }
        }
        keys = null;
        hashes = null;
        suffixRules = null;
        exactRules = null;
        wildcardRules = null;
        pendingWildcards = null;
        pendingSlot = null;
    }

    /** The slot of a key, inserted (without rules) when absent. */
    private int slotFor(String key) {
        int h = 0;
        for (int i = key.length() - 1; i >= 0; i--) {
            h = h * 31 + (key.charAt(i) | 0x20);
        }
        int slot = spread(h) & mask;
        while (keys[slot] != null && !(hashes[slot] == h && keys[slot].equals(key))) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        hashes[slot] = h;
        return slot;
    }

    private void put(DomainPattern pattern, Rule rule) {
        int slot = slotFor(pattern.anchor());
        if (pattern.isWildcard()) {
            if (pendingSlot[slot] < 0) {
                pendingSlot[slot] = pendingWildcards.size();
                pendingWildcards.add(new ArrayList<>());
            }
            List<Rule> all = pendingWildcards.get(pendingSlot[slot]);
            for (Rule r : all) {
                if (r.base.pattern().equals(pattern) && r.service != rule.service) {
                    throw claimedTwice(pattern, r, rule);
                }
            }
            all.add(rule);
            return;
        }
        Rule[] table = pattern.exact() ? exactRules : suffixRules;
        Rule previous = table[slot];
        if (previous != null && !previous.service.id().equals(rule.service.id())) {
            throw claimedTwice(pattern, previous, rule);
        }
        table[slot] = rule;
    }

    private static IllegalArgumentException claimedTwice(DomainPattern pattern, Rule a, Rule b) {
        return new IllegalArgumentException("domain pattern " + pattern + " claimed by both "
                + a.service.id() + " and " + b.service.id());
    }

    @Override
    public Match matchRuntime(int port, CharSequence path, CharSequence clientIp, String user) {
        RuntimeRule[] candidates = path == null ? null : runtimes.get(port);
        if (candidates == null) {
            return null;
        }
        for (RuntimeRule r : candidates) {
            if (r.service.functionOf(path) != null) {
                return r.verdicts == null ? r.base : r.byVerdict[r.verdicts.verdict(clientIp, user).ordinal()];
            }
        }
        return null;
    }

    @Override
    public boolean isRuntimePort(int port) {
        return runtimes.containsKey(port);
    }

    @Override
    public Match match(CharSequence host) {
        Rule r = find(host);
        return r == null ? null : r.base;
    }

    @Override
    public Match match(CharSequence host, CharSequence clientIp, String user) {
        Rule r = find(host);
        if (r == null) {
            return null;
        }
        return r.verdicts == null ? r.base : r.byVerdict[r.verdicts.verdict(clientIp, user).ordinal()];
    }

    private Rule find(CharSequence host) {
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
        Rule best = null;
        int bestStart = Integer.MAX_VALUE;
        int h = 0;
        int i = end - 1;
        for (; i >= 0; i--) {
            char c = host.charAt(i);
            if (c == '.') {
                Entry entry = find(h, host, i + 1, end);
                if (entry == null) {
                    return best;
                }
                Rule hit = entry.suffix;
                if (hit != null && i + 1 <= bestStart) {
                    best = hit;
                    bestStart = i + 1;
                }
                WildcardGroup wild = entry.wild;
                if (wild != null) {
                    Rule w = matchWildcards(wild, host, i + 1, bestStart);
                    if (w != null) {
                        best = w;
                        bestStart = matchLeft(w, host, i + 1);
                    }
                }
            } else if (c >= 0x80) {
                return findNonAscii(host);
            }
            h = h * 31 + (c | 0x20);
        }
        Entry entry = find(h, host, 0, end);
        if (entry != null) {
            Rule hit = entry.exact != null ? entry.exact : entry.suffix;
            if (hit != null) {
                best = hit;
            }
        }
        return best;
    }

    /** The wildcard rule of the group whose match starts furthest left (and left of {@code bestStart}), or null. */
    private static Rule matchWildcards(WildcardGroup g, CharSequence host, int anchorStart, int bestStart) {
        Rule best = null;
        int bestAt = bestStart;
        for (Rule w : g.linear) {
            int start = matchLeft(w, host, anchorStart);
            if (start >= 0 && start < bestAt && (!w.exact || start == 0)) {
                best = w;
                bestAt = start;
            }
        }
        if (g.keyIndex >= 0) {
            // find the label at keyIndex left of the anchor, hash it in place (String.hashCode of its lowercase)
            int labelEnd = anchorStart - 1;
            int labelStart = -1;
            for (int k = 0; k <= g.keyIndex; k++) {
                if (labelEnd <= 0) {
                    return best;
                }
                labelStart = labelEnd;
                while (labelStart > 0 && host.charAt(labelStart - 1) != '.') {
                    labelStart--;
                }
                if (k < g.keyIndex) {
                    labelEnd = labelStart - 1;
                }
            }
            int h = 0;
            for (int c = labelStart; c < labelEnd; c++) {
                h = h * 31 + (host.charAt(c) | 0x20);
            }
            int slot = spread(h) & g.keyMask;
            Rule[] list;
            while ((list = g.keyed[slot]) != null) {
                if (g.keyHashes[slot] == h) {
                    for (Rule w : list) {
                        int start = matchLeft(w, host, anchorStart);
                        if (start >= 0 && start < bestAt && (!w.exact || start == 0)) {
                            best = w;
                            bestAt = start;
                        }
                    }
                }
                slot = (slot + 1) & g.keyMask;
            }
        }
        return best;
    }

    /** Start of the wildcard rule's match left of the anchor at {@code anchorStart}, or -1. */
    private static int matchLeft(Rule w, CharSequence host, int anchorStart) {
        int labelEnd = anchorStart - 1; // index of the '.' before the anchor
        int start = anchorStart;
        for (int k = 0; k < w.labels.length; k++) {
            if (labelEnd <= 0) {
                return -1;
            }
            int labelStart = labelEnd;
            while (labelStart > 0 && host.charAt(labelStart - 1) != '.') {
                labelStart--;
            }
            int length = labelEnd - labelStart;
            String literal = w.labels[k];
            switch (w.kinds[k]) {
                case ANY:
                    if (length == 0) {
                        return -1;
                    }
                    break;
                case ENDS_WITH:
                    if (length <= literal.length() || !regionEquals(literal, host, labelEnd - literal.length())) {
                        return -1;
                    }
                    break;
                default:
                    if (length != literal.length() || !regionEquals(literal, host, labelStart)) {
                        return -1;
                    }
            }
            start = labelStart;
            labelEnd = labelStart - 1;
        }
        return start;
    }

    private Rule findNonAscii(CharSequence host) {
        String normalized = HostNames.normalize(host);
        if (normalized == null) {
            return null;
        }
        for (int i = 0; i < normalized.length(); i++) {
            if (normalized.charAt(i) >= 0x80) {
                return null;
            }
        }
        return find(normalized);
    }

    /** The entry whose key equals host[from, end) (ASCII case folded), or null. */
    private Entry find(int h, CharSequence host, int from, int end) {
        int slot = spread(h) & mask;
        int length = end - from;
        long e;
        while ((e = table[slot]) != 0) {
            if ((int) (e >>> 32) == h) {
                Entry entry = entries[(int) e - 1];
                byte[] key = entry.key;
                if (key.length == length && (!entry.verify || bytesEqual(key, host, from))) {
                    return entry;
                }
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static boolean bytesEqual(byte[] key, CharSequence host, int from) {
        for (int k = 0; k < key.length; k++) {
            if (key[k] != lower(host.charAt(from + k))) {
                return false;
            }
        }
        return true;
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
