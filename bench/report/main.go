// Command report rewrites the tables of BENCHMARKS.md from the outputs of
// `make bench`: `go test -bench` text (medians of the -count runs), the
// cross-language harness JSON (interop, OMNI_BENCH_JSON) and the scale
// benchmark JSON (bench/scale). Each table sits between the marker comments
// <!-- bench:NAME --> and <!-- /bench:NAME -->; text outside them is kept.
// A section whose input is missing keeps its old content.
//
//	go run ./bench/report -go bench.out -xl xl.json -scale scale.json -md BENCHMARKS.md
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	goFiles := flag.String("go", "", "comma-separated go test -bench output files")
	xl := flag.String("xl", "", "cross-language harness JSON")
	scale := flag.String("scale", "", "scale benchmark JSON")
	md := flag.String("md", "BENCHMARKS.md", "markdown file to rewrite")
	flag.Parse()
	sections := map[string]string{"machine": machine()}
	if *goFiles != "" {
		gb, err := parseGoBench(strings.Split(*goFiles, ",")...)
		if err != nil {
			fail(err)
		}
		for name, s := range goSections(gb) {
			sections[name] = s
		}
	}
	if *xl != "" {
		var rows []xlRow
		if err := readJSON(*xl, &rows); err != nil {
			fail(err)
		}
		sections["cometd"] = cometdSection(rows)
		sections["ceiling"] = ceilingSection(rows)
	}
	if *scale != "" {
		var rows []scaleRow
		if err := readJSON(*scale, &rows); err != nil {
			fail(err)
		}
		sections["scale"] = scaleSection(rows)
	}
	b, err := os.ReadFile(*md)
	if err != nil {
		fail(err)
	}
	out, missing := rewrite(string(b), sections)
	for _, m := range missing {
		fmt.Fprintf(os.Stderr, "report: no markers for section %q in %s\n", m, *md)
	}
	if err := os.WriteFile(*md, []byte(out), 0o644); err != nil {
		fail(err)
	}
}

// rewrite replaces the body of every marked section that has new content.
func rewrite(doc string, sections map[string]string) (string, []string) {
	var missing []string
	for name, body := range sections {
		start, end := "<!-- bench:"+name+" -->", "<!-- /bench:"+name+" -->"
		i := strings.Index(doc, start)
		j := strings.Index(doc, end)
		if i < 0 || j < i {
			missing = append(missing, name)
			continue
		}
		doc = doc[:i+len(start)] + "\n" + strings.TrimRight(body, "\n") + "\n" + doc[j:]
	}
	return doc, missing
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "report:", err)
	os.Exit(1)
}
