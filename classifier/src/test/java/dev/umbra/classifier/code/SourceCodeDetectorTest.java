package dev.umbra.classifier.code;

import static dev.umbra.classifier.Fixtures.scan;
import static dev.umbra.classifier.Fixtures.types;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.classifier.Detection;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceCodeDetectorTest {
    private static final Map<String, String> SAMPLES = Map.ofEntries(
            Map.entry("java", "import java.util.List;\n\npublic class A {\n    @Override\n    public String toString() {\n        return List.of(1).toString();\n    }\n}"),
            Map.entry("python", "def load(path):\n    with open(path) as f:\n        return [l.strip() for l in f]\n\nclass B:\n    def __init__(self):\n        self.x = None"),
            Map.entry("javascript", "const fs = require('fs');\nfunction read(p) {\n  const s = fs.readFileSync(p);\n  console.log(s.length);\n  return s;\n}"),
            Map.entry("go", "package main\n\nimport (\n\t\"fmt\"\n)\n\nfunc main() {\n\tv, err := run()\n\tif err != nil {\n\t\treturn\n\t}\n\tfmt.Println(v)\n}"),
            Map.entry("rust", "use std::io;\n\npub fn parse(s: &str) -> Option<u32> {\n    let mut n = 0;\n    n += s.len() as u32;\n    println!(\"{}\", n);\n    Some(n)\n}"),
            Map.entry("c", "#include <stdio.h>\n\nint main(void) {\n    char *p = malloc(sizeof(char) * 8);\n    if (p == NULL) {\n        return 1;\n    }\n    printf(\"ok\\n\");\n}"),
            Map.entry("sql", "SELECT id, name\nFROM users u\nJOIN orders o ON o.user_id = u.id\nWHERE o.total > 10\nGROUP BY id, name;"),
            Map.entry("shell", "#!/bin/bash\nfor f in *.log; do\n  if grep -q ERROR \"$f\"; then\n    echo \"$f\"\n  fi\ndone"),
            Map.entry("ruby", "require 'json'\n\nclass C\n  attr_accessor :items\n  def each_item\n    @items.each do |i|\n      puts i\n    end\n  end\nend"),
            Map.entry("php", "<?php\nclass D {\n    public function show($id) {\n        $x = $this->repo->find($id);\n        echo $x;\n    }\n}"),
            Map.entry("csharp", "using System;\n\nnamespace Acme\n{\n    public class E\n    {\n        public string Name { get; set; }\n        public void P() { Console.WriteLine(Name); }\n    }\n}"),
            Map.entry("typescript", "export interface F {\n  id: string;\n  total: number;\n}\nexport const g = (x: F): number => {\n  return x.total;\n};"));

    @Test
    void onText_samplesInTwelveLanguages_detectedWithLanguage() {
        for (Map.Entry<String, String> e : SAMPLES.entrySet()) {
            String text = "Can you review this?\n\n" + e.getValue() + "\n\nThanks.";
            Detection d = scan(text).stream().filter(x -> x.type().equals("source_code")).findFirst().orElse(null);
            assertThat(d).as(e.getKey()).isNotNull();
            assertThat(d.masked()).as(e.getKey()).startsWith("[source code: " + e.getKey() + ",");
        }
    }

    @Test
    void onText_proseJsonCsvAndLogs_areNotCode() {
        assertThat(types("Dear team,\nthe migration is planned for Monday.\nPlease make sure your laptops are updated.\n"
                + "If you have questions, ask in the channel.\nThanks for your patience.")).isEmpty();
        assertThat(types("{\n  \"id\": 1,\n  \"enabled\": true,\n  \"tags\": [\n    \"a\"\n  ]\n}")).isEmpty();
        assertThat(types("sku,qty,price\nABC-1,2,3.50\nDEF-2,1,9.99\nGHI-3,5,1.25")).isEmpty();
        assertThat(types("2024-01-15T10:30:00Z INFO [main] c.a.Worker - started\n2024-01-15T10:30:01Z INFO [main] "
                + "c.a.Worker - processed 10 records\n2024-01-15T10:30:02Z WARN [main] c.a.Worker - slow")).isEmpty();
    }

    @Test
    void onText_longBlocks_decidedAsIfEveryLineWereRead() {
        // long blocks let the scorer stop early; the verdict must be the one of the full score
        StringBuilder code = new StringBuilder("public class Totals {\n");
        for (int k = 0; k < 40; k++) {
            code.append("    private int field").append(k).append(" = compute(").append(k).append(");\n");
        }
        code.append("}");
        Detection d = scan("Please review:\n\n" + code + "\n\nThanks.").stream()
                .filter(x -> x.type().equals("source_code")).findFirst().orElse(null);
        assertThat(d).isNotNull();
        assertThat(d.masked()).isEqualTo("[source code: java, 42 lines]");
        StringBuilder prose = new StringBuilder();
        for (int k = 0; k < 40; k++) {
            prose.append("The quarterly numbers for region ").append(k).append(" were reviewed by the team on Monday.\n");
        }
        assertThat(types(prose.toString())).doesNotContain("source_code");
        // code first, then as many lines of prose: the prose lines read last must still count
        assertThat(types(code.substring(0, code.indexOf("field10")) + "\n" + prose)).doesNotContain("source_code");
    }
}
