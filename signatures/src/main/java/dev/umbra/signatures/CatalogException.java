package dev.umbra.signatures;

import java.util.List;

/**
 * A catalog or policy that cannot be loaded; the message names the file, the line where known and
 * the entry. {@link #problems()} lists every problem found, the message shows the first ones.
 */
public final class CatalogException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN = 5;
    private final List<String> problems;

    public CatalogException(String message) {
        super(message);
        this.problems = List.of(message);
    }

    public CatalogException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(message);
    }

    /** One exception for several problems (never empty). */
    public CatalogException(List<String> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, one line each. */
    public List<String> problems() {
        return problems;
    }

    private static String summary(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("no problems");
        }
        StringBuilder sb = new StringBuilder(problems.get(0));
        for (int i = 1; i < Math.min(SHOWN, problems.size()); i++) {
            sb.append("\n").append(problems.get(i));
        }
        if (problems.size() > SHOWN) {
            sb.append("\n(and ").append(problems.size() - SHOWN).append(" more problems)");
        }
        return sb.toString();
    }
}
