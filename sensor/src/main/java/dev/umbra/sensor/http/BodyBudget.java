package dev.umbra.sensor.http;

/**
 * The memory all the request bodies being read at once may hold, shared by the connections of one
 * decoder: a body grows only by what the budget grants, and gives it back when it is handed over.
 * Not thread-safe (one decoder thread).
 */
public final class BodyBudget {
    private final long limit;
    private long used;

    /** @param limit the most bytes held by all bodies together */
    public BodyBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        this.limit = limit;
    }

    /** Takes up to {@code n} bytes; returns how many were granted (0 when the budget is spent). */
    int take(int n) {
        int granted = (int) Math.max(0, Math.min(n, limit - used));
        used += granted;
        return granted;
    }

    /** Gives back {@code n} bytes taken before. */
    void give(int n) {
        used -= n;
    }

    /** Bytes held now. */
    public long used() {
        return used;
    }
}
