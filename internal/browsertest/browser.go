package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Chromium is the browser CheckInBrowser runs: Debian's package `chromium`
// (apt-get install -y chromium).
const Chromium = "/usr/bin/chromium"

// ErrNoBrowser is returned (wrapped) by CheckInBrowser when the browser is not
// installed; tests skip on it.
var ErrNoBrowser = errors.New("browsertest: " + Chromium + " is not installed (apt-get install -y chromium)")

// BrowserCheck is what a headless browser saw when it loaded a page.
type BrowserCheck struct {
	// Errors lists, in arrival order, every uncaught exception, every
	// console.error/console.assert call and every browser log entry at error
	// level (failed resource loads, such as a missing image, land here).
	Errors []string
	// Warnings lists console.warn calls and browser log entries at warning level.
	Warnings []string
	// Images is the number of <img> elements in the page after load.
	Images int
	// BrokenImages lists the src of every <img> that did not load
	// (not complete, or naturalWidth 0), checked by the browser driver itself.
	BrokenImages []string
	// PageCheck is the page's own #img-check element's data-ok attribute, as
	// set by the script WriteHTML puts in every report: "true", "false",
	// "pending" (the script did not run), or "" when the page has no such
	// element.
	PageCheck string
}

// OK reports whether the page loaded cleanly: no errors, no broken images, and
// the page's own image check, when the page has one, says "true".
func (b BrowserCheck) OK() bool {
	return len(b.Errors) == 0 && len(b.BrokenImages) == 0 && (b.PageCheck == "true" || b.PageCheck == "")
}

// String summarises the check in one line.
func (b BrowserCheck) String() string {
	return fmt.Sprintf("%d images, %d broken %q, page check %q, %d errors %q, %d warnings",
		b.Images, len(b.BrokenImages), b.BrokenImages, b.PageCheck, len(b.Errors), b.Errors, len(b.Warnings))
}

// CheckInBrowser loads the HTML file at htmlPath in headless Chromium, waits
// until it has loaded (window's load event has fired), and returns what it saw. It drives the browser through
// the DevTools protocol over a pipe (--remote-debugging-pipe), so console
// messages keep their level and failed loads are reported as such. A nil
// error means the check ran, not that the page is clean: see BrowserCheck.OK.
// It returns ErrNoBrowser when Chromium is not installed.
//
// The browser runs with a fresh profile in a temporary directory, without a
// sandbox, GPU, QUIC, sync, extensions or background networking.
func CheckInBrowser(htmlPath string) (BrowserCheck, error) {
	res, err := CheckPagesInBrowser(htmlPath)
	if err != nil {
		return BrowserCheck{}, err
	}
	return res[0], nil
}

// CheckPagesInBrowser is CheckInBrowser for several pages, loaded one after
// the other, each in a new tab, in one browser (starting the browser takes
// most of the time). It gives up after 60 s plus 15 s per page: a loaded
// machine can make Chromium slow to start.
func CheckPagesInBrowser(htmlPaths ...string) ([]BrowserCheck, error) {
	if len(htmlPaths) == 0 {
		return nil, nil
	}
	if _, err := os.Stat(Chromium); err != nil {
		return nil, ErrNoBrowser
	}
	urls := make([]string, len(htmlPaths))
	for i, p := range htmlPaths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("browsertest: browser check of %s: %w", p, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return nil, fmt.Errorf("browsertest: browser check: %w", err)
		}
		urls[i] = (&url.URL{Scheme: "file", Path: abs}).String()
	}
	timeout := 60*time.Second + time.Duration(len(htmlPaths))*15*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	profile, err := os.MkdirTemp("", "fgrelu-chromium-")
	if err != nil {
		return nil, fmt.Errorf("browsertest: browser check: %w", err)
	}
	defer os.RemoveAll(profile)

	b, err := startBrowser(ctx, profile)
	if err != nil {
		return nil, err
	}
	defer b.close()
	out := make([]BrowserCheck, len(urls))
	for i, u := range urls {
		res, err := b.check(ctx, u)
		if err != nil {
			return nil, fmt.Errorf("browsertest: browser check of %s: %w (browser stderr: %s)", htmlPaths[i], err, b.stderrTail())
		}
		out[i] = res
	}
	return out, nil
}

// cdpMessage is a DevTools protocol message: a command reply (ID set) or an event (Method set).
type cdpMessage struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

type browser struct {
	cmd    *exec.Cmd
	toB    *os.File // we write commands here; the browser reads it as fd 3
	fromB  *os.File // the browser writes replies and events to fd 4; we read here
	stderr *tailBuffer

	mu      sync.Mutex
	nextID  int64
	replies map[int64]chan cdpMessage
	events  chan cdpMessage
	done    chan struct{} // closed when the reader stops
	readErr error
}

func startBrowser(ctx context.Context, profile string) (*browser, error) {
	// Pipes: the browser reads commands from fd 3 and writes to fd 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("browsertest: browser check: %w", err)
	}
	evR, evW, err := os.Pipe()
	if err != nil {
		cmdR.Close()
		cmdW.Close()
		return nil, fmt.Errorf("browsertest: browser check: %w", err)
	}
	cmd := exec.Command(Chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--user-data-dir="+profile,
		"--remote-debugging-pipe",
		"about:blank")
	stderr := &tailBuffer{max: 4096}
	cmd.Stdout = io.Discard
	cmd.Stderr = stderr
	cmd.ExtraFiles = []*os.File{cmdR, evW}
	ownProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		cmdR.Close()
		cmdW.Close()
		evR.Close()
		evW.Close()
		return nil, fmt.Errorf("browsertest: starting %s: %w", Chromium, err)
	}
	// The child holds its own copies now.
	cmdR.Close()
	evW.Close()
	b := &browser{
		cmd: cmd, toB: cmdW, fromB: evR, stderr: stderr,
		replies: map[int64]chan cdpMessage{},
		events:  make(chan cdpMessage, 1024),
		done:    make(chan struct{}),
	}
	go b.read()
	go func() {
		select {
		case <-ctx.Done():
			b.kill()
		case <-b.done:
		}
	}()
	return b, nil
}

// read dispatches NUL-terminated JSON messages from the browser.
func (b *browser) read() {
	defer close(b.done)
	r := bufio.NewReaderSize(b.fromB, 1<<16)
	for {
		raw, err := r.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue
		}
		if m.ID != 0 {
			b.mu.Lock()
			ch := b.replies[m.ID]
			delete(b.replies, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case b.events <- m:
		default: // drop events nobody reads rather than block replies
		}
	}
}

// call sends a command and waits for its reply.
func (b *browser) call(ctx context.Context, session, method string, params any, result any) error {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.replies[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.toB.Write(append(data, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-b.done:
		return fmt.Errorf("%s: browser closed the pipe", method)
	case <-ctx.Done():
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

func (b *browser) check(ctx context.Context, pageURL string) (BrowserCheck, error) {
	var res BrowserCheck
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return res, err
	}
	defer func() {
		_ = b.call(ctx, "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	}()
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget",
		map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return res, err
	}
	s := attached.SessionID
	drain := func() {
		for {
			select {
			case m := <-b.events:
				if m.SessionID == s {
					collectEvent(&res, m)
				}
			default:
				return
			}
		}
	}
	// Runtime: exceptions and console calls; Log: browser messages, among
	// them failed resource loads.
	for _, m := range []string{"Runtime.enable", "Log.enable"} {
		if err := b.call(ctx, s, m, nil, nil); err != nil {
			return res, err
		}
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := b.call(ctx, s, "Page.navigate", map[string]any{"url": pageURL}, &nav); err != nil {
		return res, err
	}
	if nav.ErrorText != "" {
		return res, fmt.Errorf("navigating to %s: %s", pageURL, nav.ErrorText)
	}
	// Poll until our document has finished loading. document.readyState turns
	// "complete" in the same task that fires window's load event, so once an
	// evaluation sees it, the load handlers have run. (Waiting for
	// Page.loadEventFired instead could catch the blank tab's own load.)
	for {
		ready, err := b.eval(ctx, s, `JSON.stringify([location.href, document.readyState])`)
		var st []string
		if err == nil && json.Unmarshal([]byte(ready), &st) == nil && len(st) == 2 &&
			st[0] != "about:blank" && st[1] == "complete" {
			break
		}
		drain()
		select {
		case <-time.After(100 * time.Millisecond):
		case <-b.done:
			return res, errors.New("browser exited before the page loaded")
		case <-ctx.Done():
			return res, fmt.Errorf("waiting for the page to load: %w", ctx.Err())
		}
	}
	// A moment for late messages (errors in load handlers arrive as events).
	time.Sleep(250 * time.Millisecond)
	drain()

	// Our own look at the images, independent of the page's script.
	const probe = `JSON.stringify({
		broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src')),
		count: document.images.length,
		page: (document.getElementById('img-check') || {getAttribute: () => ''}).getAttribute('data-ok') || ''
	})`
	value, err := b.eval(ctx, s, probe)
	if err != nil {
		return res, err
	}
	var probed struct {
		Broken []string `json:"broken"`
		Count  int      `json:"count"`
		Page   string   `json:"page"`
	}
	if err := json.Unmarshal([]byte(value), &probed); err != nil {
		return res, fmt.Errorf("reading the image probe %q: %w", value, err)
	}
	res.Images, res.BrokenImages, res.PageCheck = probed.Count, probed.Broken, probed.Page
	drain()
	return res, nil
}

// eval evaluates a JavaScript expression that yields a string in session s.
func (b *browser) eval(ctx context.Context, s, expr string) (string, error) {
	var r struct {
		Result struct {
			Type  string `json:"type"`
			Value string `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := b.call(ctx, s, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &r); err != nil {
		return "", err
	}
	if r.ExceptionDetails != nil {
		return "", fmt.Errorf("evaluating %q: %s", expr, r.ExceptionDetails.Text)
	}
	if r.Result.Type != "string" {
		return "", fmt.Errorf("evaluating %q: got a %s", expr, r.Result.Type)
	}
	return r.Result.Value, nil
}

// collectEvent files a DevTools event under Errors or Warnings.
func collectEvent(res *BrowserCheck, m cdpMessage) {
	switch m.Method {
	case "Runtime.exceptionThrown":
		var p struct {
			ExceptionDetails struct {
				Text      string `json:"text"`
				URL       string `json:"url"`
				Line      int    `json:"lineNumber"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		_ = json.Unmarshal(m.Params, &p)
		d := p.ExceptionDetails
		msg := d.Text
		if d.Exception.Description != "" {
			msg += " " + firstLine(d.Exception.Description)
		}
		res.Errors = append(res.Errors, fmt.Sprintf("exception: %s (%s:%d)", msg, d.URL, d.Line+1))
	case "Runtime.consoleAPICalled":
		var p struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		_ = json.Unmarshal(m.Params, &p)
		var parts []string
		for _, a := range p.Args {
			if a.Value != nil {
				parts = append(parts, fmt.Sprint(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		text := "console." + p.Type + ": " + strings.Join(parts, " ")
		switch p.Type {
		case "error", "assert":
			res.Errors = append(res.Errors, text)
		case "warning":
			res.Warnings = append(res.Warnings, text)
		}
	case "Log.entryAdded":
		var p struct {
			Entry struct {
				Level  string `json:"level"`
				Source string `json:"source"`
				Text   string `json:"text"`
				URL    string `json:"url"`
			} `json:"entry"`
		}
		_ = json.Unmarshal(m.Params, &p)
		e := p.Entry
		text := fmt.Sprintf("%s: %s", e.Source, e.Text)
		if e.URL != "" {
			text += " (" + e.URL + ")"
		}
		switch e.Level {
		case "error":
			res.Errors = append(res.Errors, text)
		case "warning":
			res.Warnings = append(res.Warnings, text)
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// close asks the browser to quit, then waits for it briefly before killing its
// process group.
func (b *browser) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	b.toB.Close()
	waited := make(chan struct{})
	go func() {
		_ = b.cmd.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		b.kill()
		<-waited
	}
	b.fromB.Close()
}

// kill ends the browser and, where the system has process groups, its helpers.
func (b *browser) kill() {
	if b.cmd.Process != nil {
		killProcessGroup(b.cmd.Process)
	}
}

func (b *browser) stderrTail() string {
	return strings.TrimSpace(b.stderr.String())
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
