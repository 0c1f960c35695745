package main

import (
	"bufio"
	"os"
	"runtime"
	"strings"
	"time"
)

// environment describes the machine a report was made on.
type environment struct {
	Date       string
	CPU        string
	Cores      int
	GoVersion  string
	GOMAXPROCS int
}

// currentEnvironment reads the date, CPU model, Go version and
// GOMAXPROCS.
func currentEnvironment() environment {
	return environment{
		Date:       time.Now().UTC().Format("2006-01-02"),
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GoVersion:  runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		name, value, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown"
}
