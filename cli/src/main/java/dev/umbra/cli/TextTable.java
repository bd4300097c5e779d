package dev.umbra.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns as wide as their widest cell. */
final class TextTable {
    /** Characters written at a time. */
    static final int CHUNK = 1 << 16;

    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    TextTable(String... header) {
        columns = header.length;
        rows.add(header);
    }

    void add(Object... cells) {
        String[] row = new String[columns];
        for (int i = 0; i < columns; i++) {
            row[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "-";
        }
        rows.add(row);
    }

    /**
     * Writes the table in chunks of about {@value #CHUNK} characters and flushes once: the command's
     * writer flushes on every println, which for the 30 000 rows of a large audit was 30 000 writes to
     * stdout and most of the printing time.
     */
    void print(PrintWriter out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        String newline = System.lineSeparator();
        StringBuilder text = new StringBuilder(CHUNK + 1024);
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                text.append(row[i]);
                if (i < columns - 1) {
                    for (int pad = widths[i] - row[i].length() + 2; pad > 0; pad--) {
                        text.append(' ');
                    }
                }
            }
            text.append(newline);
            if (text.length() >= CHUNK) {
                out.write(text.toString());
                text.setLength(0);
            }
        }
        out.write(text.toString());
        out.flush();
    }
}
