package main

import (
	"context"
	"errors"
	"io"
)

func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runExperiment(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runReproduce(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
