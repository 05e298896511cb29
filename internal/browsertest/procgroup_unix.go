//go:build unix

package browsertest

import (
	"os"
	"os/exec"
	"syscall"
)

// ownProcessGroup starts the browser in a process group of its own, so that on a timeout its
// helper processes (zygote, renderer, GPU) go with it.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup ends the browser's process group: the browser and its helpers.
func killProcessGroup(p *os.Process) {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
}
