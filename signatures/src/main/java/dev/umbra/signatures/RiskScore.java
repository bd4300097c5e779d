package dev.umbra.signatures;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The catalog's deterministic risk score: 0 (least risk) to 100, the sum of points per fact.
 *
 * <p>The table below is the whole formula (documented in docs/catalog.md); an unknown fact scores
 * between the best and the worst value, so that not knowing is never the cheapest answer.
 *
 * <pre>
 * fact                    values (points)                                              unknown
 * trains_on_inputs        no 0, opt_in 8, opt_out 22, yes 30                           20
 * retention               zero 0, short 3 (&lt;= 30 days), limited 8 (&lt;= 1 year), long 15   10
 * enterprise_no_training  yes 0, no 15                                                 10
 * jurisdiction            ISO 3166 code: CN HK MO RU BY IR KP 20, any other 0          10
 * soc2                    yes 0, no 7                                                  5
 * iso27001                yes 0, no 6                                                  4
 * sso                     yes 0, no 7                                                  5
 * </pre>
 */
public final class RiskScore {
    /** Every fact name the catalog knows, in display order. */
    public static final List<String> FACTS = List.of("trains_on_inputs", "retention", "enterprise_no_training",
            "jurisdiction", "soc2", "iso27001", "sso");

    /** Jurisdictions whose laws give the state broad access to data held by companies. */
    public static final Set<String> HIGH_RISK_JURISDICTIONS = Set.of("CN", "HK", "MO", "RU", "BY", "IR", "KP");

    private static final Map<String, Map<String, Integer>> POINTS = Map.of(
            "trains_on_inputs", Map.of("no", 0, "opt_in", 8, "opt_out", 22, "yes", 30, RiskFact.UNKNOWN, 20),
            "retention", Map.of("zero", 0, "short", 3, "limited", 8, "long", 15, RiskFact.UNKNOWN, 10),
            "enterprise_no_training", Map.of("yes", 0, "no", 15, RiskFact.UNKNOWN, 10),
            "soc2", Map.of("yes", 0, "no", 7, RiskFact.UNKNOWN, 5),
            "iso27001", Map.of("yes", 0, "no", 6, RiskFact.UNKNOWN, 4),
            "sso", Map.of("yes", 0, "no", 7, RiskFact.UNKNOWN, 5));

    private RiskScore() {
    }

    /**
     * Checks a fact's value.
     *
     * @return {@code null} when valid, otherwise why not
     */
    public static String checkValue(String fact, String value) {
        if (fact.equals("jurisdiction")) {
            return value.equals(RiskFact.UNKNOWN) || value.matches("[A-Z]{2}") ? null
                    : "jurisdiction must be an ISO 3166 alpha-2 code (US, FR, CN, ...) or unknown: " + value;
        }
        Map<String, Integer> points = POINTS.get(fact);
        if (points == null) {
            return "unknown risk fact \"" + fact + "\" (one of " + String.join(", ", FACTS) + ")";
        }
        return points.containsKey(value) ? null
                : "invalid value " + value + " for risk fact " + fact + " (one of " + String.join(", ",
                        new java.util.TreeSet<>(points.keySet())) + ")";
    }

    /** The score of a set of facts; missing facts count as unknown. */
    public static int of(Map<String, RiskFact> facts) {
        int score = 0;
        for (String fact : FACTS) {
            RiskFact f = facts.getOrDefault(fact, RiskFact.UNKNOWN_FACT);
            score += points(fact, f.value());
        }
        return score;
    }

    /** The points one fact value contributes. */
    public static int points(String fact, String value) {
        if (fact.equals("jurisdiction")) {
            if (value.equals(RiskFact.UNKNOWN)) {
                return 10;
            }
            return HIGH_RISK_JURISDICTIONS.contains(value) ? 20 : 0;
        }
        Map<String, Integer> points = POINTS.get(fact);
        if (points == null || !points.containsKey(value)) {
            throw new IllegalArgumentException(checkValue(fact, value));
        }
        return points.get(value);
    }
}
