package dev.umbra.classifier.code;

import dev.umbra.classifier.engine.AhoCorasick;
import java.util.ArrayList;
import java.util.List;

/** Guesses the programming language of a block of source code from weighted marker strings. */
public final class Languages {
    private Languages() {
    }

    /** Language ids, in the order of {@link #MARKERS}. */
    static final String[] NAMES = {"java", "kotlin", "python", "javascript", "typescript", "go", "rust", "c",
        "cpp", "csharp", "ruby", "php", "sql", "shell", "swift"};

    /** Per language: marker, weight, marker, weight ... (matched case-insensitively). */
    static final Object[][] MARKERS = {
        {"public class ", 3, "System.out.", 4, "import java.", 5, "@Override", 3, "String[]", 3, "private final ", 3,
            "public static void", 4, "new ArrayList<", 4, "throws ", 2, "package ", 1, ");\n", 1, "List<", 1},
        {"fun ", 4, "val ", 3, "import kotlin", 5, "println(", 1, "?.", 1, ": String", 1, "data class ", 4, "when (", 2,
            "companion object", 5, "override fun", 5},
        {"def ", 4, "elif ", 5, "self.", 3, "import ", 1, "from ", 1, "__init__", 5, "print(", 2, "None", 2,
            "):\n", 3, "    return ", 1, "lambda ", 2, "True", 1, "f\"", 2, "except ", 3},
        {"function ", 3, "const ", 2, "let ", 2, "=> ", 2, "console.log", 4, "require(", 4, "document.", 4, "===", 3,
            "module.exports", 5, "async ", 1, "var ", 2, "});", 3},
        {": string", 5, ": number", 5, "interface ", 3, "export type ", 5, ": boolean", 5, "import {", 2, "<T>", 2,
            "export const ", 2, "readonly ", 3, "const ", 1, "=> ", 1},
        {"func ", 4, "package main", 6, ":= ", 4, "fmt.", 5, "err != nil", 6, "import (", 4, "go func", 5,
            "chan ", 3, "defer ", 4, "struct {", 2},
        {"fn ", 4, "let mut ", 6, "impl ", 5, "pub fn", 6, "::", 1, "-> ", 1, "println!", 6, "&self", 5,
            "use std::", 6, "match ", 2, "Vec<", 3, "Option<", 3, ".unwrap()", 5},
        {"#include <", 3, "int main(", 3, "printf(", 3, "malloc(", 4, "->", 1, "NULL", 2, "sizeof(", 2,
            "#define ", 3, "char *", 3, "void ", 1, "struct ", 1},
        {"std::", 5, "#include <iostream>", 6, "cout <<", 5, "template<", 5, "template <", 5, "namespace ", 2,
            "nullptr", 4, "auto ", 2, "::", 1, "#include <vector>", 5},
        {"using System", 6, "namespace ", 3, "Console.WriteLine", 6, "async Task", 5, "{ get; set; }", 6,
            "public class ", 2, "var ", 1, "string ", 1, "public void ", 1},
        {"def ", 2, "end\n", 4, "puts ", 4, "require '", 5, ".each do |", 6, "attr_accessor", 6, "do |", 4,
            "elsif ", 5, "@", 1, "end", 1},
        {"<?php", 8, "$this->", 6, "echo ", 2, "function ", 1, "$", 2, "->", 1, "=> ", 1, "public function", 3},
        {"SELECT ", 4, " FROM ", 3, "WHERE ", 3, "INSERT INTO", 6, "CREATE TABLE", 6, " JOIN ", 3, "GROUP BY", 5,
            "ORDER BY", 4, "VARCHAR", 4, "PRIMARY KEY", 5},
        {"#!/bin/bash", 8, "#!/bin/sh", 8, "echo ", 2, "fi\n", 5, "then\n", 3, "$(", 3, "export ", 2, "| grep", 4,
            "sudo ", 3, "done\n", 4, "; then", 5, "${", 1, "esac", 5},
        {"import SwiftUI", 8, "import Foundation", 6, "func ", 3, "guard let", 6, "if let ", 5, "var body", 5,
            "let ", 1, "-> ", 1, "struct ", 1, ": View", 5},
    };

    private static final AhoCorasick MATCHER;
    private static final int[] MARKER_LANG;
    private static final int[] MARKER_WEIGHT;

    static {
        List<String> markers = new ArrayList<>();
        List<Integer> lang = new ArrayList<>();
        List<Integer> weight = new ArrayList<>();
        for (int l = 0; l < NAMES.length; l++) {
            for (int k = 0; k < MARKERS[l].length; k += 2) {
                markers.add((String) MARKERS[l][k]);
                lang.add(l);
                weight.add((Integer) MARKERS[l][k + 1]);
            }
        }
        MATCHER = new AhoCorasick(markers);
        MARKER_LANG = lang.stream().mapToInt(Integer::intValue).toArray();
        MARKER_WEIGHT = weight.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The best-scoring language id for {@code t[start, end)}, or {@code unknown}. One pass of a
     * case-insensitive multi-pattern automaton over the markers; each marker counts once.
     */
    public static String guess(String t, int start, int end) {
        return guess(t.toCharArray(), start, end);
    }

    /** {@link #guess(String, int, int)} over an array. */
    public static String guess(char[] t, int start, int end) {
        boolean[] seen = new boolean[MARKER_LANG.length];
        int[] score = new int[NAMES.length];
        MATCHER.forEachMatchUnordered(t, start, end, (id, at) -> {
            if (!seen[id]) {
                seen[id] = true;
                score[MARKER_LANG[id]] += MARKER_WEIGHT[id];
            }
        });
        int best = -1;
        int bestScore = 0;
        for (int l = 0; l < NAMES.length; l++) {
            if (score[l] > bestScore) {
                bestScore = score[l];
                best = l;
            }
        }
        return best < 0 || bestScore < 3 ? "unknown" : NAMES[best];
    }
}
