package train

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/fgrelu/fgrelu/net"
)

// Row is one line of the metrics log: the loss (and accuracy) of one pass on one split after
// an epoch. Pass is 1-based, as in the paper's figures. Accuracy is NaN for autoencoders.
type Row struct {
	Epoch    int     `json:"epoch"`
	Step     int64   `json:"step"`
	Split    string  `json:"split"` // train or test
	Pass     int     `json:"pass"`
	Loss     float64 `json:"loss"`
	Accuracy float64 `json:"accuracy"`
}

// rowJSON writes NaN accuracy as null, which JSON can hold.
type rowJSON struct {
	Epoch    int      `json:"epoch"`
	Step     int64    `json:"step"`
	Split    string   `json:"split"`
	Pass     int      `json:"pass"`
	Loss     float64  `json:"loss"`
	Accuracy *float64 `json:"accuracy"`
}

func (r Row) MarshalJSON() ([]byte, error) {
	j := rowJSON{r.Epoch, r.Step, r.Split, r.Pass, r.Loss, nil}
	if !math.IsNaN(r.Accuracy) {
		j.Accuracy = &r.Accuracy
	}
	return json.Marshal(j)
}

func (r *Row) UnmarshalJSON(b []byte) error {
	var j rowJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Row{j.Epoch, j.Step, j.Split, j.Pass, j.Loss, math.NaN()}
	if j.Accuracy != nil {
		r.Accuracy = *j.Accuracy
	}
	return nil
}

// WriteMetrics writes rows as CSV (with a header) or JSON lines.
func WriteMetrics(w io.Writer, rows []Row, format string) error {
	if format == "jsonl" {
		return writeJSONLines(w, rows)
	}
	if _, err := fmt.Fprintln(w, "epoch,step,split,pass,loss,accuracy"); err != nil {
		return err
	}
	for _, r := range rows {
		acc := ""
		if !math.IsNaN(r.Accuracy) {
			acc = strconv.FormatFloat(r.Accuracy, 'g', -1, 64)
		}
		if _, err := fmt.Fprintf(w, "%d,%d,%s,%d,%s,%s\n", r.Epoch, r.Step, r.Split, r.Pass,
			strconv.FormatFloat(r.Loss, 'g', -1, 64), acc); err != nil {
			return err
		}
	}
	return nil
}

// MetricsFile is the metrics log's file name for a format.
func MetricsFile(format string) string {
	if format == "jsonl" {
		return "metrics.jsonl"
	}
	return "metrics.csv"
}

// DeadRow is one line of the dead-unit log (issue 14): after an epoch, how many units of one
// rectifier layer were never active on one pass over the test set (see net.LayerActivity;
// a convolution's units are its channels). Pass is 1-based.
type DeadRow struct {
	Epoch      int     `json:"epoch"`
	Step       int64   `json:"step"`
	Layer      string  `json:"layer"`
	Pass       int     `json:"pass"`
	Units      int     `json:"units"`
	Dead       int     `json:"dead"`
	Fraction   float64 `json:"dead_fraction"` // Dead/Units
	MeanActive float64 `json:"mean_active"`   // mean over units of the share of examples where active
}

// DeadRows turns a probe's records into the dead-unit log rows of an epoch.
func DeadRows(epoch int, step int64, acts []net.LayerActivity) []DeadRow {
	rows := make([]DeadRow, 0, len(acts))
	for _, a := range acts {
		rows = append(rows, DeadRow{Epoch: epoch, Step: step, Layer: a.Layer, Pass: a.Pass, Units: a.Units,
			Dead: a.Dead, Fraction: a.DeadFraction(), MeanActive: a.MeanShare()})
	}
	return rows
}

// WriteDead writes dead-unit rows as CSV (with a header) or JSON lines.
func WriteDead(w io.Writer, rows []DeadRow, format string) error {
	if format == "jsonl" {
		return writeJSONLines(w, rows)
	}
	if _, err := fmt.Fprintln(w, "epoch,step,layer,pass,units,dead,dead_fraction,mean_active"); err != nil {
		return err
	}
	for _, r := range rows {
		if _, err := fmt.Fprintf(w, "%d,%d,%s,%d,%d,%d,%s,%s\n", r.Epoch, r.Step, r.Layer, r.Pass, r.Units, r.Dead,
			strconv.FormatFloat(r.Fraction, 'g', -1, 64), strconv.FormatFloat(r.MeanActive, 'g', -1, 64)); err != nil {
			return err
		}
	}
	return nil
}

// DeadFile is the dead-unit log's file name for a format.
func DeadFile(format string) string {
	if format == "jsonl" {
		return "deadunits.jsonl"
	}
	return "deadunits.csv"
}

// ActivityFile holds, after the latest epoch, every rectifier unit's share of test examples in
// which it is active, one row per layer, pass and unit.
const ActivityFile = "activity.csv"

// WriteActivity writes the per-unit records of one evaluation as ActivityFile's CSV: the share
// of examples in which the unit is active, and their number.
func WriteActivity(w io.Writer, epoch int, acts []net.LayerActivity) error {
	if _, err := fmt.Fprintln(w, "epoch,layer,pass,unit,active_share,active_examples"); err != nil {
		return err
	}
	for _, a := range acts {
		for u, c := range a.Active {
			if _, err := fmt.Fprintf(w, "%d,%s,%d,%d,%s,%d\n", epoch, a.Layer, a.Pass, u,
				strconv.FormatFloat(a.Share(u), 'g', -1, 64), c); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeadSummary is a one-line account of the dead units: "dead units (pass 1 2): E1 0 0 of 392,
// E2 2 1 of 10". Empty when nothing was probed.
func DeadSummary(acts []net.LayerActivity) string {
	if len(acts) == 0 {
		return ""
	}
	var b strings.Builder
	passes := 0
	for _, a := range acts {
		passes = max(passes, a.Pass)
	}
	b.WriteString("dead units (pass")
	for p := range passes {
		fmt.Fprintf(&b, " %d", p+1)
	}
	b.WriteString("):")
	for i, a := range acts {
		if i == 0 || acts[i-1].Layer != a.Layer {
			if i > 0 {
				fmt.Fprintf(&b, " of %d,", acts[i-1].Units)
			}
			fmt.Fprintf(&b, " %s", a.Layer)
		}
		fmt.Fprintf(&b, " %d", a.Dead)
	}
	fmt.Fprintf(&b, " of %d", acts[len(acts)-1].Units)
	return b.String()
}

// writeJSONLines writes one JSON value a line.
func writeJSONLines[T any](w io.Writer, rows []T) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
