package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fgrelu/fgrelu/config"
	"github.com/fgrelu/fgrelu/data"
	"github.com/fgrelu/fgrelu/internal/progress"
)

func runData(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("data", "data (where | download cifar10 [--to DIR] [--url URL] [--md5 HEX])", stderr)
	to := fs.String("to", "data", "folder to download into")
	url := fs.String("url", data.CIFAR10URL, "where to download the archive from")
	md5 := fs.String("md5", data.CIFAR10MD5, "expected MD5 of the archive")
	if len(args) == 0 {
		fs.Usage()
		return usageError{"say where or download"}
	}
	verb, rest := args[0], args[1:]
	switch verb {
	case "where":
		if err := parse(fs, rest); err != nil {
			return err
		}
		for _, name := range data.Names() {
			var where string
			var err error
			switch name {
			case "mnist":
				where, err = data.MNISTDir()
			case "cifar10":
				where, err = data.CIFAR10Path()
			default:
				where = os.Getenv(data.FashionDirEnv)
				if where == "" {
					where = data.FashionDefaultDir
				}
				if _, serr := os.Stat(where); serr != nil {
					err = fmt.Errorf("not found at %s (apt-get install -y dataset-fashion-mnist)", where)
				}
			}
			if err != nil {
				fmt.Fprintf(stdout, "%-14s missing: %v\n", name, err)
			} else {
				fmt.Fprintf(stdout, "%-14s %s\n", name, where)
			}
		}
		return nil
	case "download":
		if len(rest) == 0 || rest[0] != "cifar10" {
			return usageError{"download what? only cifar10 needs a download (MNIST comes with the Go module, Fashion-MNIST with Debian)"}
		}
		if err := parse(fs, rest[1:]); err != nil {
			return err
		}
		dest := filepath.Join(*to, data.CIFAR10Archive)
		if _, err := os.Stat(dest); err == nil {
			fmt.Fprintf(stdout, "%s already exists\n", dest)
			return nil
		}
		var bar *progress.Bar
		err := data.Download(ctx, *url, dest, data.DownloadOptions{MD5: *md5, Progress: func(done, total int64) {
			if bar == nil {
				bar = progress.New(stderr, "cifar10", total, "bytes")
			}
			bar.Add(done-bar.Count(), "")
		}})
		if err != nil {
			return err
		}
		bar.Done("checksum verified")
		fmt.Fprintf(stdout, "wrote %s; use it with --data %s (or set %s)\n", dest, dest, data.CIFAR10Env)
		return nil
	}
	return usageError{fmt.Sprintf("unknown data command %q (want where or download)", verb)}
}

func runConfig(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("config", "config [--config FILE] [--set key=value ...]   (prints the resolved config, then every key)", stderr)
	cf := addConfigFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := cf.load()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n\nkeys (set with --set key=value or in a YAML/JSON file):\n", cfg.JSON())
	for _, k := range config.Keys() {
		fmt.Fprintf(stdout, "  %-28s %s\n", k, config.Docs[k])
	}
	return nil
}
