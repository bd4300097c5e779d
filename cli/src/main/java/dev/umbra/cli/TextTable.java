package dev.umbra.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with columns as wide as their widest cell. */
final class TextTable {
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

    /** Writes the table in chunks, with one flush (ChunkedLines). */
    void print(PrintWriter out) {
        int[] widths = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        ChunkedLines lines = new ChunkedLines(out);
        StringBuilder text = lines.text();
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                text.append(row[i]);
                if (i < columns - 1) {
                    for (int pad = widths[i] - row[i].length() + 2; pad > 0; pad--) {
                        text.append(' ');
                    }
                }
            }
            lines.endLine();
        }
        lines.flush();
    }
}
