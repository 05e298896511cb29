//go:build !unix

package browsertest

import (
	"os"
	"os/exec"
)

// ownProcessGroup does nothing where there are no Unix process groups.
func ownProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup ends the browser itself; its helpers end when their pipe closes.
func killProcessGroup(p *os.Process) { _ = p.Kill() }
