// Command interleave times two commands in strict alternation (A, B, A, B,
// ...) and prints the medians and their ratio as JSON. It is scripts/bench.sh's
// "equivalent loop" for rows whose commands need no shell: on a shared,
// noisy machine a burst of load then lands on both sides of a pair instead
// of on a block of one side's runs, as it can with hyperfine, which runs all
// of A before all of B.
//
//	interleave [-n RUNS] [-w WARMUP] 'A args...' 'B args...'
//
// Commands are split on blanks and run without a shell, their output
// discarded; one that exits non-zero stops the run (exit 1).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type stats struct {
	Command string    `json:"command"`
	Median  float64   `json:"median_ms"`
	P25     float64   `json:"p25_ms"`
	P75     float64   `json:"p75_ms"`
	Mean    float64   `json:"mean_ms"`
	Times   []float64 `json:"times_ms"`
}

func main() {
	runs := flag.Int("n", 30, "timed runs of each command")
	warmup := flag.Int("w", 3, "untimed runs of each command first")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: interleave [-n RUNS] [-w WARMUP] 'A args...' 'B args...'")
		os.Exit(2)
	}
	cmds := [2]string{flag.Arg(0), flag.Arg(1)}
	var times [2][]float64
	for i := 0; i < *warmup+*runs; i++ {
		for j, c := range cmds {
			ms, err := timeOnce(c)
			if err != nil {
				fmt.Fprintf(os.Stderr, "interleave: %s: %v\n", c, err)
				os.Exit(1)
			}
			if i >= *warmup {
				times[j] = append(times[j], ms)
			}
		}
	}
	a, b := summarize(cmds[0], times[0]), summarize(cmds[1], times[1])
	out, _ := json.MarshalIndent(map[string]any{"a": a, "b": b, "ratio": a.Median / b.Median}, "", "  ")
	fmt.Println(string(out))
}

func timeOnce(command string) (float64, error) {
	f := strings.Fields(command)
	cmd := exec.Command(f[0], f[1:]...)
	start := time.Now()
	err := cmd.Run()
	return float64(time.Since(start).Nanoseconds()) / 1e6, err
}

func summarize(command string, t []float64) stats {
	s := slices.Clone(t)
	slices.Sort(s)
	at := func(q float64) float64 { return s[int(q*float64(len(s)-1)+0.5)] }
	var sum float64
	for _, v := range s {
		sum += v
	}
	return stats{Command: command, Median: at(0.5), P25: at(0.25), P75: at(0.75), Mean: sum / float64(len(s)), Times: t}
}
