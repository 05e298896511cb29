package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBarOnAPipePrintsLines(t *testing.T) {
	var buf bytes.Buffer
	b := New(&buf, "epoch 1/3", 1000, "samples")
	b.Add(500, "loss 0.2")
	b.Done("test loss 0.1")
	out := buf.String()
	if !strings.Contains(out, "epoch 1/3") || !strings.Contains(out, "1000 samples") || !strings.Contains(out, "test loss 0.1") {
		t.Errorf("output %q", out)
	}
	if strings.Contains(out, "\r") {
		t.Error("carriage returns written to a non-terminal")
	}
	var nilBar *Bar
	nilBar.Add(1, "")
	nilBar.Done("")
}
