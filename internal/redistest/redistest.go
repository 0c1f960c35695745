// Package redistest starts a throwaway redis-server for tests that check
// maxmem against a real Redis: the core's side-by-side tests and the near
// cache adapters' (their modules may import it: it sits under the root
// module's path).
//
// Without redis-server on the PATH the test is skipped, unless the
// environment sets MAXMEM_REQUIRE_REDIS (as .ci/run does, after installing
// the server): then it fails.
package redistest

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Start runs redis-server on a free loopback port for the rest of the test
// and returns its address, once it accepts connections. args are more
// command-line options for the server.
func Start(t testing.TB, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("MAXMEM_REQUIRE_REDIS") != "" {
			t.Fatal("redis-server is required (MAXMEM_REQUIRE_REDIS) but not installed")
		}
		t.Skip("redis-server not installed; .ci/run installs it")
	}
	port := freePort(t)
	argv := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no"}, args...)
	cmd := exec.Command(bin, argv...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(5 * time.Second); ; {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // waiting for another process to listen: no clock to fake
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
