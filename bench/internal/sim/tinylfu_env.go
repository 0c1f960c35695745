package sim

import (
	"os"
	"strconv"
	"strings"
)

// envTinyLFU applies the overrides in the TLFU environment variable, a
// comma-separated list of name=value (win, prot, bpe, sample, climbf, cons,
// tie, climb, step, decay, restart, charge, local), to the prototype's
// configuration. It exists for parameter sweeps: e.g.
//
//	TLFU=bpe=8,tie=1 go run ./cmd/hitratio -prototype -caches prototype -only gli
//
// Unset, the configuration is DefaultTinyLFU and results are reproducible.
func envTinyLFU(c TinyLFUConfig) TinyLFUConfig {
	for _, kv := range strings.Split(os.Getenv("TLFU"), ",") {
		k, v, _ := strings.Cut(kv, "=")
		f, _ := strconv.ParseFloat(v, 64)
		switch k {
		case "win":
			c.WindowPercent = f
		case "prot":
			c.ProtectedPercent = f
		case "bpe":
			c.SketchBytesPerEntry = f
		case "sample":
			c.SampleFactor = int64(f)
		case "climbf":
			c.ClimbFactor = f
		case "cons":
			c.Conservative = f != 0
		case "tie":
			c.TieAdmit = f != 0
		case "climb":
			c.Climb = f != 0
		case "step":
			c.StepPercent = f
		case "decay":
			c.StepDecay = f
		case "restart":
			c.RestartThreshold = f
		case "charge":
			c.ChargeSketch = f != 0
		case "local":
			c.LocalEvict = f != 0
		}
	}
	return c
}
