package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"time"
)

// proc is a server process started by testenv.
type proc struct {
	name string
	cmd  *exec.Cmd
	log  string        // file receiving its stdout and stderr
	done chan struct{} // closed when it has exited
	err  error         // Wait's result, valid once done is closed
}

// account is a user to run a server as, by uid and gid.
type account struct{ uid, gid uint32 }

// startProc starts path with args in dir, as acct when not nil, logging to
// logPath. parentDeath is the signal the process gets if the test process
// dies without stopping it (where the OS supports that).
func startProc(name, path string, args []string, dir, logPath string, acct *account, parentDeath os.Signal) (*proc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own copy
	cmd := exec.Command(path, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	if cmd.SysProcAttr, err = sysProcAttr(acct, parentDeath); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// run runs a short-lived command as acct and returns its combined output
// in the error when it fails.
func run(path string, args []string, dir string, acct *account) error {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	var err error
	if cmd.SysProcAttr, err = sysProcAttr(acct, nil); err != nil {
		return err
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", path, err, out)
	}
	return nil
}

// stop asks the process to exit with sig and kills it if it has not within
// a few seconds.
func (p *proc) stop(sig os.Signal) {
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.kill()
		return
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill()
	}
}

func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}
