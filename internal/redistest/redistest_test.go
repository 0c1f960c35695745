package redistest

import (
	"bufio"
	"net"
	"testing"
)

// Start hands back the address of a server that answers, and each call a
// server of its own.
func TestStartAnswersPing(t *testing.T) {
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two servers share %s", a)
	}
	for _, addr := range []string{a, b} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
			t.Fatal(err)
		}
		reply, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || reply != "+PONG\r\n" {
			t.Fatalf("PING to %s: %q, %v", addr, reply, err)
		}
	}
}

// freePort names a port a listener may take at once.
func TestFreePortIsFree(t *testing.T) {
	l, err := net.ListenTCP("tcp", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: freePort(t)})
	if err != nil {
		t.Fatalf("the port freePort named is taken: %v", err)
	}
	l.Close()
}
