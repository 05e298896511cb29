package main

import (
	"context"
	"errors"
	"io"
)

func runExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
