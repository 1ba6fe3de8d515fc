// Command report rewrites the fault-matrix table of RELIABILITY.md from the
// rows the fault-matrix tests measured:
//
//	OMNI_FAULT_REPORT=/tmp/rows.jsonl go test -count=1 ./internal/faultmatrix
//	go run ./internal/faultmatrix/cmd/report /tmp/rows.jsonl RELIABILITY.md
//
// The table goes between the lines "<!-- faultmatrix:begin -->" and
// "<!-- faultmatrix:end -->"; everything else in the file is kept.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/omnisdk/omni/internal/faultmatrix"
)

const (
	begin = "<!-- faultmatrix:begin -->"
	end   = "<!-- faultmatrix:end -->"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: report ROWS.jsonl RELIABILITY.md")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

func run(rowsPath, docPath string) error {
	rows, err := readRows(rowsPath)
	if err != nil {
		return err
	}
	doc, err := os.ReadFile(docPath)
	if err != nil {
		return err
	}
	i, j := bytes.Index(doc, []byte(begin)), bytes.Index(doc, []byte(end))
	if i < 0 || j < i {
		return errors.New(docPath + ": markers " + begin + " / " + end + " not found")
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(begin)])
	out.WriteString("\n" + table(rows))
	out.Write(doc[j:])
	return os.WriteFile(docPath, out.Bytes(), 0o644)
}

func readRows(path string) ([]faultmatrix.Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows []faultmatrix.Row
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r faultmatrix.Row
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 && sc.Err() == nil {
		return nil, errors.New(path + ": no rows")
	}
	return rows, sc.Err()
}

func table(rows []faultmatrix.Row) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s by `make reliability` (%d rows).\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), len(rows))
	for _, area := range []string{"send", "cometd"} {
		title := map[string]string{"send": "Sends (REST)", "cometd": "CometD"}[area]
		fmt.Fprintf(&b, "### %s\n\n", title)
		b.WriteString("| fault | what the SDK does | what the caller sees | sent | received | lost | duplicated | test |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|\n")
		for _, r := range rows {
			if r.Area != area {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %d | `%s` |\n",
				cell(r.Fault), cell(r.SDK), cell(r.Caller), r.Sent, r.Received, r.Lost, r.Duplicated, cell(r.Test))
		}
		b.WriteString("\n")
	}
	return b.String()
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
