package train

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
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
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
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
