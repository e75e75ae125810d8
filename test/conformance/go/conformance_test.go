// The Go runner of the SDK conformance suite: aws-sdk-go-v2 (service/s3, feature/s3/manager)
// configured exactly as SMLL's documentation shows, against fixtures/conformance/scenarios.json.
package conformance

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

type target struct {
	endpoint, region, bucket, accessKey, secretKey, bucket2, accessKey2, secretKey2, transport string
}

func required(name string) string {
	value := os.Getenv(name)
	if value == "" {
		panic(name + " is not set: run this suite through \"npm run conformance\", or set the SMLL_* variables")
	}
	return value
}

var (
	tgt       target
	client    *s3.Client
	prefix    string
	resultDir string
	version   string
	ctx       = context.Background()
	catalogue = map[string]bool{}
)

func TestMain(m *testing.M) {
	tgt = target{
		endpoint: required("SMLL_ENDPOINT"), region: required("SMLL_REGION"),
		bucket: required("SMLL_BUCKET"), accessKey: required("SMLL_ACCESS_KEY"), secretKey: required("SMLL_SECRET_KEY"),
		bucket2: required("SMLL_BUCKET2"), accessKey2: required("SMLL_ACCESS_KEY2"), secretKey2: required("SMLL_SECRET_KEY2"),
	}
	tgt.transport = "http"
	if strings.HasPrefix(tgt.endpoint, "https:") {
		tgt.transport = "https"
	}
	resultDir = required("SMLL_RESULTS_DIR")
	if err := os.MkdirAll(resultDir, 0o755); err != nil {
		panic(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "fixtures", "conformance", "scenarios.json"))
	if err != nil {
		panic(err)
	}
	var parsed struct{ Scenarios []struct{ ID string } }
	if err := json.Unmarshal(raw, &parsed); err != nil {
		panic(err)
	}
	for _, s := range parsed.Scenarios {
		catalogue[s.ID] = true
	}
	version = sdkVersion()
	client = clientFor(tgt.accessKey, tgt.secretKey)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	prefix = fmt.Sprintf("conformance/go-%s-%d-%s/", tgt.transport, time.Now().Unix(), hex.EncodeToString(suffix))
	os.Exit(m.Run())
}

// clientFor builds the client exactly as SMLL's documentation does (AWS_CA_BUNDLE, when set, is
// honoured by LoadDefaultConfig itself).
func clientFor(accessKey, secretKey string) *s3.Client {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(tgt.region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")),
	)
	if err != nil {
		panic(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(tgt.endpoint)
		o.UsePathStyle = true
	})
}

// sdkVersion reads the module versions from go.mod (a test binary's build info lists no dependencies).
func sdkVersion() string {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		panic(err)
	}
	versionOf := func(module string) string {
		match := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(module) + `\s+(\S+)`).FindSubmatch(mod)
		if match == nil {
			return "unknown"
		}
		return string(match[1])
	}
	return fmt.Sprintf("aws-sdk-go-v2 %s (service/s3 %s, feature/s3/manager %s)",
		versionOf("github.com/aws/aws-sdk-go-v2"), versionOf("github.com/aws/aws-sdk-go-v2/service/s3"),
		versionOf("github.com/aws/aws-sdk-go-v2/feature/s3/manager"))
}

func record(id, outcome, detail string) {
	if len(detail) > 2000 {
		detail = detail[:2000]
	}
	result := map[string]string{"sdk": "go", "sdkVersion": version, "transport": tgt.transport, "scenario": id, "outcome": outcome, "detail": detail}
	data, _ := json.MarshalIndent(result, "", "  ")
	if err := os.WriteFile(filepath.Join(resultDir, id+".json"), append(data, '\n'), 0o644); err != nil {
		panic(err)
	}
}

// sc is one scenario in progress: its first failure becomes the result's detail.
type sc struct {
	*testing.T
	failure string
}

func (s *sc) fatalf(format string, args ...any) {
	s.Helper()
	if s.failure == "" {
		s.failure = fmt.Sprintf(format, args...)
	}
	s.Fatalf(format, args...)
}

func (s *sc) must(err error, what string) {
	s.Helper()
	if err != nil {
		s.fatalf("%s: %v", what, err)
	}
}

func (s *sc) equal(got, want any, what string) {
	s.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		s.fatalf("%s: got %v, want %v", what, got, want)
	}
}

// scenario runs body as a subtest and records its outcome.
func scenario(t *testing.T, id string, body func(s *sc)) {
	if !catalogue[id] {
		t.Fatalf("%q is not a scenario of fixtures/conformance/scenarios.json", id)
	}
	t.Run(id, func(t *testing.T) {
		s := &sc{T: t}
		defer func() {
			if r := recover(); r != nil {
				record(id, "fail", fmt.Sprintf("panic: %v", r))
				t.Fatalf("panic: %v", r)
			}
			if t.Failed() {
				record(id, "fail", s.failure)
			} else {
				record(id, "pass", "")
			}
		}()
		body(s)
	})
}

func notExpressible(id, reason string) {
	if !catalogue[id] {
		panic(id + " is not a scenario of fixtures/conformance/scenarios.json")
	}
	record(id, "not-expressible", reason)
}

// apiError is the S3 error code and HTTP status a call failed with.
func apiError(err error) (string, int) {
	code, status := "", 0
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

func (s *sc) expectError(err error, code string, status int) {
	s.Helper()
	if err == nil {
		s.fatalf("expected %s (%d), and the request succeeded", code, status)
	}
	gotCode, gotStatus := apiError(err)
	if (code != "" && gotCode != code) || gotStatus != status {
		s.fatalf("expected %s (%d), got %s (%d): %v", code, status, gotCode, gotStatus, err)
	}
}

func putText(s *sc, key, body string) *s3.PutObjectOutput {
	s.Helper()
	out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: aws.String(key), Body: strings.NewReader(body)})
	s.must(err, "PutObject "+key)
	return out
}

func getBody(key string, mutate func(*s3.GetObjectInput)) (*s3.GetObjectOutput, []byte, error) {
	input := &s3.GetObjectInput{Bucket: &tgt.bucket, Key: aws.String(key)}
	if mutate != nil {
		mutate(input)
	}
	out, err := client.GetObject(ctx, input)
	if err != nil {
		return nil, nil, err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	return out, data, err
}

func keysUnder(s *sc, keyPrefix string) []string {
	s.Helper()
	keys := []string{}
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &tgt.bucket, Prefix: aws.String(keyPrefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		s.must(err, "ListObjectsV2")
		for _, o := range page.Contents {
			keys = append(keys, *o.Key)
		}
	}
	return keys
}

// plainHTTP is a client without the SDK, trusting AWS_CA_BUNDLE like the SDK does.
func plainHTTP() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if bundle := os.Getenv("AWS_CA_BUNDLE"); bundle != "" {
		pem, err := os.ReadFile(bundle)
		if err != nil {
			panic(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		transport.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	return &http.Client{Transport: transport, Timeout: time.Minute}
}

// patternReader yields size deterministic bytes without holding them, hashing what it yields.
type patternReader struct {
	remaining int
	counter   uint32
	hash      interface {
		io.Writer
		Sum([]byte) []byte
	}
	buffered []byte
}

func newPatternReader(size int) *patternReader {
	return &patternReader{remaining: size, hash: sha256.New()}
}

func (p *patternReader) Read(out []byte) (int, error) {
	if p.remaining == 0 {
		return 0, io.EOF
	}
	if len(p.buffered) == 0 {
		sum := sha256.Sum256([]byte(fmt.Sprintf("go:%d", p.counter)))
		p.counter++
		p.buffered = sum[:]
	}
	n := copy(out, p.buffered)
	if n > p.remaining {
		n = p.remaining
	}
	p.buffered = p.buffered[n:]
	p.remaining -= n
	_, _ = p.hash.Write(out[:n])
	return n, nil
}

func (p *patternReader) sha256() string { return hex.EncodeToString(p.hash.Sum(nil)) }

const bigSize = 40 * 1024 * 1024

func TestConformance(t *testing.T) {
	scenario(t, "object-round-trip", func(s *sc) {
		key := prefix + "round-trip.txt"
		body := "hello from the Go conformance runner\n"
		put := putText(s, key, body)
		sum := md5.Sum([]byte(body))
		s.equal(*put.ETag, `"`+hex.EncodeToString(sum[:])+`"`, "ETag")
		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &tgt.bucket, Key: &key})
		s.must(err, "HeadObject")
		s.equal(*head.ContentLength, len(body), "ContentLength")
		_, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(string(got), body, "body")
		_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &tgt.bucket, Key: &key})
		s.must(err, "DeleteObject")
		_, _, err = getBody(key, nil)
		s.expectError(err, "NoSuchKey", 404)
	})

	scenario(t, "zero-byte-object", func(s *sc) {
		key := prefix + "empty"
		put := putText(s, key, "")
		s.equal(*put.ETag, `"d41d8cd98f00b204e9800998ecf8427e"`, "ETag")
		out, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(*out.ContentLength, 0, "ContentLength")
		s.equal(len(got), 0, "body length")
	})

	scenario(t, "metadata-and-content-headers", func(s *sc) {
		key := prefix + "with-headers.html"
		metadata := map[string]string{"color": "blue", "multi-word": "two words"}
		_, err := client.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &tgt.bucket, Key: &key, Body: strings.NewReader("<p>hi</p>"),
			ContentType: aws.String("text/html; charset=utf-8"), CacheControl: aws.String("max-age=60, public"),
			ContentDisposition: aws.String(`attachment; filename="report.html"`), ContentLanguage: aws.String("de-CH"),
			Metadata: metadata,
		})
		s.must(err, "PutObject")
		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &tgt.bucket, Key: &key})
		s.must(err, "HeadObject")
		get, _, err := getBody(key, nil)
		s.must(err, "GetObject")
		for what, got := range map[string][5]any{
			"HEAD": {*head.ContentType, *head.CacheControl, *head.ContentDisposition, *head.ContentLanguage, head.Metadata},
			"GET":  {*get.ContentType, *get.CacheControl, *get.ContentDisposition, *get.ContentLanguage, get.Metadata},
		} {
			s.equal(got, [5]any{"text/html; charset=utf-8", "max-age=60, public", `attachment; filename="report.html"`, "de-CH", metadata}, what)
		}
	})

	specialKeys := [][2]string{
		{"key-with-space", "folder with space/file name.txt"},
		{"key-with-plus", "a+b=c/1+1.txt"},
		{"key-with-percent", "100% done/literal%20not-a-space.txt"},
		{"key-unicode", "ünïcødé/日本語/✓ 🚀.txt"},
		{"key-double-slash", "a//b///c.txt"},
		{"key-trailing-slash", "folder/"},
	}
	for _, special := range specialKeys {
		id, name := special[0], special[1]
		scenario(t, id, func(s *sc) {
			keyPrefix := prefix + id + "/"
			key := keyPrefix + name
			body := "body of " + name
			if strings.HasSuffix(name, "/") {
				body = ""
			}
			putText(s, key, body)
			_, got, err := getBody(key, nil)
			s.must(err, "GetObject")
			s.equal(string(got), body, "body")
			s.equal(keysUnder(s, keyPrefix), []string{key}, "listed keys")
			_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &tgt.bucket, Key: &key})
			s.must(err, "DeleteObject")
			s.equal(len(keysUnder(s, keyPrefix)), 0, "keys left")
		})
	}

	rangeKey := prefix + "range.txt"
	rangeBody := "0123456789abcdefghij"
	scenario(t, "range-get", func(s *sc) {
		putText(s, rangeKey, rangeBody)
		out, got, err := getBody(rangeKey, func(in *s3.GetObjectInput) { in.Range = aws.String("bytes=2-5") })
		s.must(err, "GetObject")
		s.equal(*out.ContentRange, fmt.Sprintf("bytes 2-5/%d", len(rangeBody)), "Content-Range")
		s.equal(string(got), "2345", "body")
	})
	scenario(t, "range-suffix", func(s *sc) {
		putText(s, rangeKey, rangeBody)
		_, got, err := getBody(rangeKey, func(in *s3.GetObjectInput) { in.Range = aws.String("bytes=-4") })
		s.must(err, "GetObject")
		s.equal(string(got), "ghij", "body")
	})
	scenario(t, "range-unsatisfiable", func(s *sc) {
		putText(s, rangeKey, rangeBody)
		_, _, err := getBody(rangeKey, func(in *s3.GetObjectInput) { in.Range = aws.String(fmt.Sprintf("bytes=%d-", len(rangeBody)+10)) })
		s.expectError(err, "InvalidRange", 416)
	})
	scenario(t, "conditional-get-not-modified", func(s *sc) {
		put := putText(s, rangeKey, rangeBody)
		_, _, err := getBody(rangeKey, func(in *s3.GetObjectInput) { in.IfNoneMatch = put.ETag })
		s.expectError(err, "", 304)
	})
	scenario(t, "conditional-get-precondition-failed", func(s *sc) {
		putText(s, rangeKey, rangeBody)
		_, _, err := getBody(rangeKey, func(in *s3.GetObjectInput) { in.IfMatch = aws.String(`"00000000000000000000000000000000"`) })
		s.expectError(err, "PreconditionFailed", 412)
	})
	scenario(t, "conditional-put-if-none-match", func(s *sc) {
		key := prefix + "create-only.txt"
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &key, Body: strings.NewReader("first"), IfNoneMatch: aws.String("*")})
		s.must(err, "first PutObject")
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &key, Body: strings.NewReader("second"), IfNoneMatch: aws.String("*")})
		s.expectError(err, "PreconditionFailed", 412)
		_, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(string(got), "first", "body")
	})

	scenario(t, "list-v2-paginated", func(s *sc) {
		keyPrefix := prefix + "many/"
		expected := make([]string, 2500)
		for i := range expected {
			expected[i] = fmt.Sprintf("%s%05d", keyPrefix, i)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		work := make(chan string)
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for key := range work {
					_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: aws.String(key), Body: strings.NewReader(key)})
					if err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				}
			}()
		}
		for _, key := range expected {
			work <- key
		}
		close(work)
		wg.Wait()
		s.must(firstErr, "PutObject")
		pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &tgt.bucket, Prefix: aws.String(keyPrefix)})
		count := 0
		keys := []string{}
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			s.must(err, "ListObjectsV2")
			count++
			for _, o := range page.Contents {
				keys = append(keys, *o.Key)
			}
		}
		s.equal(count, 3, "pages")
		s.equal(strings.Join(keys, ","), strings.Join(expected, ","), "keys")
	})

	scenario(t, "list-delimiter-prefix", func(s *sc) {
		keyPrefix := prefix + "tree/"
		for _, name := range []string{"a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt"} {
			putText(s, keyPrefix+name, name)
		}
		page, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &tgt.bucket, Prefix: aws.String(keyPrefix), Delimiter: aws.String("/")})
		s.must(err, "ListObjectsV2")
		prefixes := []string{}
		for _, p := range page.CommonPrefixes {
			prefixes = append(prefixes, *p.Prefix)
		}
		s.equal(prefixes, []string{keyPrefix + "a/", keyPrefix + "b/"}, "CommonPrefixes")
		contents := []string{}
		for _, o := range page.Contents {
			contents = append(contents, *o.Key)
		}
		s.equal(contents, []string{keyPrefix + "top.txt"}, "Contents")
	})

	scenario(t, "list-v1-marker", func(s *sc) {
		keyPrefix := prefix + "v1/"
		expected := []string{}
		for i := 1; i <= 5; i++ {
			expected = append(expected, fmt.Sprintf("%sk%d", keyPrefix, i))
			putText(s, expected[i-1], "x")
		}
		keys := []string{}
		marker := ""
		pages := 0
		for {
			page, err := client.ListObjects(ctx, &s3.ListObjectsInput{Bucket: &tgt.bucket, Prefix: aws.String(keyPrefix), MaxKeys: aws.Int32(2), Marker: aws.String(marker)})
			s.must(err, "ListObjects")
			pages++
			for _, o := range page.Contents {
				keys = append(keys, *o.Key)
			}
			if !aws.ToBool(page.IsTruncated) {
				break
			}
			marker = aws.ToString(page.NextMarker)
			if marker == "" {
				marker = keys[len(keys)-1]
			}
		}
		s.equal(pages, 3, "pages")
		s.equal(keys, expected, "keys")
	})

	scenario(t, "get-bucket-location", func(s *sc) {
		out, err := client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &tgt.bucket})
		s.must(err, "GetBucketLocation")
		want := tgt.region
		if want == "us-east-1" {
			want = ""
		}
		s.equal(string(out.LocationConstraint), want, "LocationConstraint")
	})

	scenario(t, "head-bucket", func(s *sc) {
		_, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &tgt.bucket})
		s.must(err, "HeadBucket")
	})

	scenario(t, "delete-objects-batch", func(s *sc) {
		keys := []string{prefix + "batch/d1", prefix + "batch/d2", prefix + "batch/d3"}
		for _, key := range keys {
			putText(s, key, "x")
		}
		all := append(append([]string{}, keys...), prefix+"batch/missing")
		objects := []types.ObjectIdentifier{}
		for _, key := range all {
			objects = append(objects, types.ObjectIdentifier{Key: aws.String(key)})
		}
		out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &tgt.bucket, Delete: &types.Delete{Objects: objects}})
		s.must(err, "DeleteObjects")
		deleted := []string{}
		for _, d := range out.Deleted {
			deleted = append(deleted, *d.Key)
		}
		sort.Strings(deleted)
		sort.Strings(all)
		s.equal(deleted, all, "Deleted")
		s.equal(len(out.Errors), 0, "Errors")
		s.equal(len(keysUnder(s, prefix+"batch/")), 0, "keys left")
	})

	copySource := prefix + "copy-source.json"
	putCopySource := func(s *sc) *s3.PutObjectOutput {
		out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &copySource, Body: strings.NewReader(`{"copy":true}`),
			ContentType: aws.String("application/json"), Metadata: map[string]string{"origin": "source"}})
		s.must(err, "PutObject source")
		return out
	}
	scenario(t, "copy-object-metadata-copy", func(s *sc) {
		source := putCopySource(s)
		key := prefix + "copy-of-source.json"
		_, err := client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &tgt.bucket, Key: &key, CopySource: aws.String(tgt.bucket + "/" + copySource)})
		s.must(err, "CopyObject")
		out, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(string(got), `{"copy":true}`, "body")
		s.equal(*out.ETag, *source.ETag, "ETag")
		s.equal(*out.ContentType, "application/json", "ContentType")
		s.equal(out.Metadata, map[string]string{"origin": "source"}, "Metadata")
	})
	scenario(t, "copy-object-metadata-replace", func(s *sc) {
		putCopySource(s)
		key := prefix + "replaced-copy.txt"
		_, err := client.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &tgt.bucket, Key: &key, CopySource: aws.String(tgt.bucket + "/" + copySource),
			MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/plain"), Metadata: map[string]string{"origin": "replaced"}})
		s.must(err, "CopyObject")
		out, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(string(got), `{"copy":true}`, "body")
		s.equal(*out.ContentType, "text/plain", "ContentType")
		s.equal(out.Metadata, map[string]string{"origin": "replaced"}, "Metadata")
	})

	bigKey := prefix + "big.bin"
	scenario(t, "multipart-upload-40mib", func(s *sc) {
		_, err := manager.NewUploader(client).Upload(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &bigKey, Body: newPatternReader(bigSize)})
		s.must(err, "manager.Uploader.Upload")
		head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &tgt.bucket, Key: &bigKey})
		s.must(err, "HeadObject")
		s.equal(*head.ContentLength, bigSize, "ContentLength")
		if !regexp.MustCompile(`^"[0-9a-f]{32}-\d+"$`).MatchString(*head.ETag) {
			s.fatalf("multipart ETag expected, got %s", *head.ETag)
		}
	})
	scenario(t, "multipart-download-40mib", func(s *sc) {
		key := prefix + "big-download.bin"
		source := newPatternReader(bigSize)
		_, err := manager.NewUploader(client).Upload(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &key, Body: source})
		s.must(err, "manager.Uploader.Upload")
		file, err := os.CreateTemp("", "smll-go-download-")
		s.must(err, "temp file")
		defer os.Remove(file.Name())
		defer file.Close()
		n, err := manager.NewDownloader(client).Download(ctx, file, &s3.GetObjectInput{Bucket: &tgt.bucket, Key: &key})
		s.must(err, "manager.Downloader.Download")
		s.equal(n, bigSize, "bytes downloaded")
		_, _ = file.Seek(0, io.SeekStart)
		hash := sha256.New()
		_, err = io.Copy(hash, file)
		s.must(err, "read back")
		s.equal(hex.EncodeToString(hash.Sum(nil)), source.sha256(), "SHA-256")
	})

	checksums := []struct {
		id        string
		algorithm types.ChecksumAlgorithm
		field     func(put *s3.PutObjectOutput, get *s3.GetObjectOutput) (*string, *string)
	}{
		{"checksum-crc32", types.ChecksumAlgorithmCrc32, func(p *s3.PutObjectOutput, g *s3.GetObjectOutput) (*string, *string) {
			return p.ChecksumCRC32, g.ChecksumCRC32
		}},
		{"checksum-crc32c", types.ChecksumAlgorithmCrc32c, func(p *s3.PutObjectOutput, g *s3.GetObjectOutput) (*string, *string) {
			return p.ChecksumCRC32C, g.ChecksumCRC32C
		}},
		{"checksum-crc64nvme", types.ChecksumAlgorithmCrc64nvme, func(p *s3.PutObjectOutput, g *s3.GetObjectOutput) (*string, *string) {
			return p.ChecksumCRC64NVME, g.ChecksumCRC64NVME
		}},
		{"checksum-sha1", types.ChecksumAlgorithmSha1, func(p *s3.PutObjectOutput, g *s3.GetObjectOutput) (*string, *string) {
			return p.ChecksumSHA1, g.ChecksumSHA1
		}},
		{"checksum-sha256", types.ChecksumAlgorithmSha256, func(p *s3.PutObjectOutput, g *s3.GetObjectOutput) (*string, *string) {
			return p.ChecksumSHA256, g.ChecksumSHA256
		}},
	}
	for _, c := range checksums {
		c := c
		scenario(t, c.id, func(s *sc) {
			key := prefix + c.id + ".txt"
			body := fmt.Sprintf("checksummed by %s\n", c.algorithm)
			put, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &key, Body: strings.NewReader(body), ChecksumAlgorithm: c.algorithm})
			s.must(err, "PutObject")
			get, got, err := getBody(key, func(in *s3.GetObjectInput) { in.ChecksumMode = types.ChecksumModeEnabled })
			s.must(err, "GetObject")
			s.equal(string(got), body, "body")
			sent, returned := c.field(put, get)
			if sent == nil || returned == nil || *sent != *returned {
				s.fatalf("checksum: PUT returned %v, GET returned %v", aws.ToString(sent), aws.ToString(returned))
			}
		})
	}

	presigner := s3.NewPresignClient(client)
	scenario(t, "presigned-get", func(s *sc) {
		key := prefix + "presigned get.txt"
		putText(s, key, "fetched without an SDK")
		signed, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &tgt.bucket, Key: &key}, s3.WithPresignExpires(5*time.Minute))
		s.must(err, "PresignGetObject")
		res, err := plainHTTP().Get(signed.URL)
		s.must(err, "GET")
		defer res.Body.Close()
		got, _ := io.ReadAll(res.Body)
		s.equal(res.StatusCode, 200, "status (body "+string(got)+")")
		s.equal(string(got), "fetched without an SDK", "body")
	})
	scenario(t, "presigned-put", func(s *sc) {
		key := prefix + "presigned put.txt"
		signed, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &key}, s3.WithPresignExpires(5*time.Minute))
		s.must(err, "PresignPutObject")
		req, _ := http.NewRequest(signed.Method, signed.URL, strings.NewReader("uploaded without an SDK"))
		for name, values := range signed.SignedHeader {
			if !strings.EqualFold(name, "host") {
				req.Header[name] = values
			}
		}
		res, err := plainHTTP().Do(req)
		s.must(err, "PUT")
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		s.equal(res.StatusCode, 200, "status (body "+string(answer)+")")
		_, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(string(got), "uploaded without an SDK", "body")
	})
	scenario(t, "presigned-post", func(s *sc) {
		key := prefix + "posted.txt"
		post, err := presigner.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket, Key: &key}, func(o *s3.PresignPostOptions) {
			o.Expires = 5 * time.Minute
			o.Conditions = []any{[]any{"content-length-range", 0, 1024}}
		})
		s.must(err, "PresignPostObject")
		var form bytes.Buffer
		writer := multipart.NewWriter(&form)
		for name, value := range post.Values {
			_ = writer.WriteField(name, value)
		}
		part, _ := writer.CreateFormFile("file", "posted.txt")
		_, _ = part.Write([]byte("posted from a form"))
		_ = writer.Close()
		res, err := plainHTTP().Post(post.URL, writer.FormDataContentType(), &form)
		s.must(err, "POST")
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		s.equal(res.StatusCode, 204, "status (body "+string(answer)+")")
		_, got, err := getBody(key, nil)
		s.must(err, "GetObject")
		s.equal(string(got), "posted from a form", "body")
	})

	scenario(t, "no-such-key", func(s *sc) {
		key := prefix + "does-not-exist"
		_, _, err := getBody(key, nil)
		s.expectError(err, "NoSuchKey", 404)
		_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &tgt.bucket, Key: &key})
		s.expectError(err, "NotFound", 404)
	})

	scenario(t, "refusal-other-bucket", func(s *sc) {
		key := prefix + "not-yours.txt"
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &tgt.bucket2, Key: &key, Body: strings.NewReader("x")})
		s.expectError(err, "AccessDenied", 403)
		_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: &tgt.bucket2, Key: &key})
		s.expectError(err, "AccessDenied", 403)
	})
	scenario(t, "refusal-wrong-secret", func(s *sc) {
		other := clientFor(tgt.accessKey, tgt.secretKey[:len(tgt.secretKey)-4]+"XXXX")
		_, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: &tgt.bucket, Key: aws.String(prefix + "any")})
		s.expectError(err, "SignatureDoesNotMatch", 403)
	})
	scenario(t, "refusal-unknown-access-key", func(s *sc) {
		other := clientFor("AKIAUNKNOWNKEY000000", tgt.secretKey)
		_, err := other.GetObject(ctx, &s3.GetObjectInput{Bucket: &tgt.bucket, Key: aws.String(prefix + "any")})
		s.expectError(err, "InvalidAccessKeyId", 403)
	})
	scenario(t, "refusal-list-buckets", func(s *sc) {
		_, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
		s.expectError(err, "AccessDenied", 403)
	})
	scenario(t, "refusal-create-bucket", func(s *sc) {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(tgt.bucket + "-new")})
		s.expectError(err, "AccessDenied", 403)
	})
	scenario(t, "refusal-abort-multipart-upload", func(s *sc) {
		key := prefix + "abandoned-upload.bin"
		created, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &tgt.bucket, Key: &key})
		s.must(err, "CreateMultipartUpload")
		_, err = client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &tgt.bucket, Key: &key, UploadId: created.UploadId})
		s.expectError(err, "AccessDenied", 403)
	})
}
