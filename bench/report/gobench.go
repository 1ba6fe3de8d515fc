package main

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
)

// goBench holds every value of every metric of one benchmark, one value
// per -count run, keyed by unit ("ns/op", "allocs/op", "sends/s", ...).
type goBench map[string][]float64

// median returns the median of the benchmark's values for unit (0 if none).
func (g goBench) median(unit string) float64 {
	v := slices.Clone(g[unit])
	if len(v) == 0 {
		return 0
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// runs returns how many runs were recorded.
func (g goBench) runs() int { return len(g["ns/op"]) }

// parseGoBench reads `go test -bench` output files: lines such as
// "BenchmarkX-2  1000  123 ns/op  45 B/op  6 allocs/op  7.8 sends/s".
// The -GOMAXPROCS suffix is dropped from names.
func parseGoBench(paths ...string) (map[string]goBench, error) {
	out := map[string]goBench{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
				continue
			}
			name := fields[0]
			if i := strings.LastIndexByte(name, '-'); i > 0 {
				if _, err := strconv.Atoi(name[i+1:]); err == nil {
					name = name[:i]
				}
			}
			if _, err := strconv.Atoi(fields[1]); err != nil {
				continue // not a result line
			}
			g := out[name]
			if g == nil {
				g = goBench{}
				out[name] = g
			}
			for i := 2; i+1 < len(fields); i += 2 {
				v, err := strconv.ParseFloat(fields[i], 64)
				if err != nil {
					continue
				}
				g[fields[i+1]] = append(g[fields[i+1]], v)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
