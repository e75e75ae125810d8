package recipe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// TestMain starts one emulator for the package's tests (a free port, a throw-away data dir),
// puts its S3_* variables in the environment, runs the tests, and stops it.
func TestMain(m *testing.M) {
	stop, err := startEmulator("uploads")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// startEmulator runs `smll-storage serve` and reads the `export S3_…=…` lines it prints.
func startEmulator(bucket string) (stop func(), err error) {
	bin := os.Getenv("SMLL_STORAGE")
	if bin == "" {
		bin = "node_modules/.bin/smll-storage"
	}
	cmd := exec.Command(bin, "serve", "--temp", "--port", "0", "--quiet", "--bucket", bucket)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		line := lines.Text()
		if name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "="); ok && strings.HasPrefix(line, "export S3_") {
			os.Setenv(name, value)
		}
		if line == "Ready. Ctrl-C stops." {
			go io.Copy(io.Discard, stdout)
			return func() {
				cmd.Process.Signal(syscall.SIGTERM)
				cmd.Wait()
			}, nil
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, errors.New("smll-storage exited before it was ready")
}

// newClient is the client of SMLL's documentation, unchanged.
func newClient(t *testing.T) *s3.Client {
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(os.Getenv("S3_REGION")),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			os.Getenv("S3_ACCESS_KEY"),
			os.Getenv("S3_SECRET_KEY"),
			"",
		)),
	)
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(os.Getenv("S3_ENDPOINT"))
		o.UsePathStyle = true
	})
}

func TestUploadAndReadBack(t *testing.T) {
	client := newClient(t)
	ctx := context.Background()
	key := t.Name() + "/uploads/photo.jpg"
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String(key), Body: strings.NewReader("jpeg bytes")}); err != nil {
		t.Fatal(err)
	}
	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("uploads"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	body, _ := io.ReadAll(got.Body)
	if string(body) != "jpeg bytes" {
		t.Fatalf("read back %q", body)
	}
}

func TestRefusedAsSMLLRefuses(t *testing.T) {
	_, err := newClient(t).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("another-bucket")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
		t.Fatalf("CreateBucket: want AccessDenied, got %v", err)
	}
}
