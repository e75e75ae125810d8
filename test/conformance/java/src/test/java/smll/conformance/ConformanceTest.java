package smll.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static smll.conformance.Runner.BUCKET;
import static smll.conformance.Runner.BUCKET2;
import static smll.conformance.Runner.notExpressible;
import static smll.conformance.Runner.scenario;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/** The Java runner: one test per catalogue scenario, each also written as a result file. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceTest {
  private S3Client s3;
  private S3AsyncClient multipartClient;
  private S3TransferManager transferManager;
  private final String prefix = "conformance/java-" + Runner.TRANSPORT + "-" + UUID.randomUUID().toString().substring(0, 8) + "/";
  private final HttpClient plainHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

  @BeforeAll
  void start() {
    s3 = Runner.client(Runner.ACCESS_KEY, Runner.SECRET_KEY);
    multipartClient = Runner.multipartAsyncClient();
    transferManager = S3TransferManager.builder().s3Client(multipartClient).build();
    notExpressible("presigned-post", "the AWS SDK for Java v2 has no presigned POST (browser form) builder");
  }

  @AfterAll
  void stop() {
    transferManager.close();
    multipartClient.close();
    s3.close();
  }

  private static String md5(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
  }

  private PutObjectResponse putText(String key, String body) {
    return s3.putObject(r -> r.bucket(BUCKET).key(key), RequestBody.fromString(body));
  }

  private ResponseBytes<GetObjectResponse> get(String key) {
    return s3.getObjectAsBytes(r -> r.bucket(BUCKET).key(key));
  }

  private ResponseBytes<GetObjectResponse> get(GetObjectRequest.Builder request) {
    return s3.getObjectAsBytes(request.bucket(BUCKET).build());
  }

  private List<String> keysUnder(String keyPrefix) {
    return s3.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(keyPrefix)).contents().stream().map(S3Object::key).collect(Collectors.toList());
  }

  private static S3Exception s3Error(Runnable call) {
    return assertThrows(S3Exception.class, call::run);
  }

  private static void assertS3Error(String code, int status, Runnable call) {
    S3Exception e = s3Error(call);
    assertEquals(status, e.statusCode(), "HTTP status of " + e.getMessage());
    assertEquals(code, e.awsErrorDetails().errorCode(), "S3 error code of " + e.getMessage());
  }

  @Test
  void objectRoundTrip() throws Exception {
    scenario("object-round-trip", () -> {
      String key = prefix + "round-trip.txt";
      String body = "hello from the Java conformance runner\n";
      PutObjectResponse put = putText(key, body);
      assertEquals("\"" + md5(body.getBytes(StandardCharsets.UTF_8)) + "\"", put.eTag());
      HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(key));
      assertEquals(body.length(), head.contentLength());
      assertEquals(body, get(key).asUtf8String());
      s3.deleteObject(r -> r.bucket(BUCKET).key(key));
      assertS3Error("NoSuchKey", 404, () -> get(key));
    });
  }

  @Test
  void zeroByteObject() throws Exception {
    scenario("zero-byte-object", () -> {
      String key = prefix + "empty";
      assertEquals("\"d41d8cd98f00b204e9800998ecf8427e\"", putText(key, "").eTag());
      ResponseBytes<GetObjectResponse> got = get(key);
      assertEquals(0L, got.response().contentLength());
      assertEquals(0, got.asByteArray().length);
    });
  }

  @Test
  void metadataAndContentHeaders() throws Exception {
    scenario("metadata-and-content-headers", () -> {
      String key = prefix + "with-headers.html";
      Map<String, String> metadata = Map.of("color", "blue", "multi-word", "two words");
      s3.putObject(r -> r.bucket(BUCKET).key(key).contentType("text/html; charset=utf-8").cacheControl("max-age=60, public")
          .contentDisposition("attachment; filename=\"report.html\"").contentLanguage("de-CH").metadata(metadata),
          RequestBody.fromString("<p>hi</p>"));
      HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(key));
      GetObjectResponse get = get(key).response();
      assertEquals(List.of("text/html; charset=utf-8", "max-age=60, public", "attachment; filename=\"report.html\"", "de-CH", metadata),
          List.of(head.contentType(), head.cacheControl(), head.contentDisposition(), head.contentLanguage(), head.metadata()));
      assertEquals(List.of("text/html; charset=utf-8", "max-age=60, public", "attachment; filename=\"report.html\"", "de-CH", metadata),
          List.of(get.contentType(), get.cacheControl(), get.contentDisposition(), get.contentLanguage(), get.metadata()));
    });
  }

  private void specialKey(String id, String name) throws Exception {
    scenario(id, () -> {
      String keyPrefix = prefix + id + "/";
      String key = keyPrefix + name;
      String body = name.endsWith("/") ? "" : "body of " + name;
      putText(key, body);
      assertEquals(body, get(key).asUtf8String());
      assertEquals(List.of(key), keysUnder(keyPrefix));
      s3.deleteObject(r -> r.bucket(BUCKET).key(key));
      assertEquals(List.of(), keysUnder(keyPrefix));
    });
  }

  @Test
  void keyWithSpace() throws Exception {
    specialKey("key-with-space", "folder with space/file name.txt");
  }

  @Test
  void keyWithPlus() throws Exception {
    specialKey("key-with-plus", "a+b=c/1+1.txt");
  }

  @Test
  void keyWithPercent() throws Exception {
    specialKey("key-with-percent", "100% done/literal%20not-a-space.txt");
  }

  @Test
  void keyUnicode() throws Exception {
    specialKey("key-unicode", "ünïcødé/日本語/✓ 🚀.txt");
  }

  @Test
  void keyDoubleSlash() throws Exception {
    specialKey("key-double-slash", "a//b///c.txt");
  }

  @Test
  void keyTrailingSlash() throws Exception {
    specialKey("key-trailing-slash", "folder/");
  }

  private static final String RANGE_BODY = "0123456789abcdefghij";

  private String rangeKey() {
    return prefix + "range.txt";
  }

  @Test
  void rangeGet() throws Exception {
    scenario("range-get", () -> {
      putText(rangeKey(), RANGE_BODY);
      ResponseBytes<GetObjectResponse> got = get(GetObjectRequest.builder().key(rangeKey()).range("bytes=2-5"));
      assertEquals("bytes 2-5/" + RANGE_BODY.length(), got.response().contentRange());
      assertEquals("2345", got.asUtf8String());
    });
  }

  @Test
  void rangeSuffix() throws Exception {
    scenario("range-suffix", () -> {
      putText(rangeKey(), RANGE_BODY);
      assertEquals("ghij", get(GetObjectRequest.builder().key(rangeKey()).range("bytes=-4")).asUtf8String());
    });
  }

  @Test
  void rangeUnsatisfiable() throws Exception {
    scenario("range-unsatisfiable", () -> {
      putText(rangeKey(), RANGE_BODY);
      assertS3Error("InvalidRange", 416, () -> get(GetObjectRequest.builder().key(rangeKey()).range("bytes=" + (RANGE_BODY.length() + 10) + "-")));
    });
  }

  @Test
  void conditionalGetNotModified() throws Exception {
    scenario("conditional-get-not-modified", () -> {
      String etag = putText(rangeKey(), RANGE_BODY).eTag();
      assertEquals(304, s3Error(() -> get(GetObjectRequest.builder().key(rangeKey()).ifNoneMatch(etag))).statusCode());
    });
  }

  @Test
  void conditionalGetPreconditionFailed() throws Exception {
    scenario("conditional-get-precondition-failed", () -> {
      putText(rangeKey(), RANGE_BODY);
      assertS3Error("PreconditionFailed", 412, () -> get(GetObjectRequest.builder().key(rangeKey()).ifMatch("\"00000000000000000000000000000000\"")));
    });
  }

  @Test
  void conditionalPutIfNoneMatch() throws Exception {
    scenario("conditional-put-if-none-match", () -> {
      String key = prefix + "create-only.txt";
      s3.putObject(r -> r.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("first"));
      assertS3Error("PreconditionFailed", 412, () -> s3.putObject(r -> r.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("second")));
      assertEquals("first", get(key).asUtf8String());
    });
  }

  @Test
  void listV2Paginated() throws Exception {
    scenario("list-v2-paginated", () -> {
      String keyPrefix = prefix + "many/";
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 2500; i++) expected.add(String.format("%s%05d", keyPrefix, i));
      // 8 threads: 32 cold TLS handshakes at once outlast the SDK's 2 s connect timeout on a busy 2-core machine.
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<PutObjectResponse>> puts = new ArrayList<>();
        for (String key : expected) puts.add(pool.submit(() -> putText(key, key)));
        for (Future<PutObjectResponse> put : puts) put.get();
      } finally {
        pool.shutdown();
      }
      List<ListObjectsV2Response> pages = s3.listObjectsV2Paginator(r -> r.bucket(BUCKET).prefix(keyPrefix)).stream().collect(Collectors.toList());
      assertEquals(3, pages.size());
      assertEquals(expected, pages.stream().flatMap(p -> p.contents().stream()).map(S3Object::key).collect(Collectors.toList()));
    });
  }

  @Test
  void listDelimiterPrefix() throws Exception {
    scenario("list-delimiter-prefix", () -> {
      String keyPrefix = prefix + "tree/";
      for (String name : List.of("a/1.txt", "a/2.txt", "b/deep/3.txt", "top.txt")) putText(keyPrefix + name, name);
      ListObjectsV2Response page = s3.listObjectsV2(r -> r.bucket(BUCKET).prefix(keyPrefix).delimiter("/"));
      assertEquals(List.of(keyPrefix + "a/", keyPrefix + "b/"), page.commonPrefixes().stream().map(p -> p.prefix()).collect(Collectors.toList()));
      assertEquals(List.of(keyPrefix + "top.txt"), page.contents().stream().map(S3Object::key).collect(Collectors.toList()));
    });
  }

  @Test
  void listV1Marker() throws Exception {
    scenario("list-v1-marker", () -> {
      String keyPrefix = prefix + "v1/";
      List<String> expected = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        expected.add(keyPrefix + "k" + i);
        putText(keyPrefix + "k" + i, "x");
      }
      List<String> keys = new ArrayList<>();
      String marker = null;
      int pages = 0;
      while (true) {
        String from = marker;
        ListObjectsResponse page = s3.listObjects(r -> r.bucket(BUCKET).prefix(keyPrefix).maxKeys(2).marker(from));
        pages++;
        page.contents().forEach(o -> keys.add(o.key()));
        if (!page.isTruncated()) break;
        marker = page.nextMarker() != null ? page.nextMarker() : keys.get(keys.size() - 1);
      }
      assertEquals(3, pages);
      assertEquals(expected, keys);
    });
  }

  @Test
  void getBucketLocation() throws Exception {
    scenario("get-bucket-location", () -> {
      String location = s3.getBucketLocation(r -> r.bucket(BUCKET)).locationConstraintAsString();
      assertEquals(Runner.REGION.equals("us-east-1") ? "" : Runner.REGION, location == null ? "" : location);
    });
  }

  @Test
  void headBucket() throws Exception {
    scenario("head-bucket", () -> assertEquals(200, s3.headBucket(r -> r.bucket(BUCKET)).sdkHttpResponse().statusCode()));
  }

  @Test
  void deleteObjectsBatch() throws Exception {
    scenario("delete-objects-batch", () -> {
      List<String> keys = List.of(prefix + "batch/d1", prefix + "batch/d2", prefix + "batch/d3");
      for (String key : keys) putText(key, "x");
      List<String> all = new ArrayList<>(keys);
      all.add(prefix + "batch/missing");
      DeleteObjectsResponse result = s3.deleteObjects(r -> r.bucket(BUCKET)
          .delete(Delete.builder().objects(all.stream().map(k -> ObjectIdentifier.builder().key(k).build()).collect(Collectors.toList())).build()));
      assertEquals(all.stream().sorted().collect(Collectors.toList()), result.deleted().stream().map(d -> d.key()).sorted().collect(Collectors.toList()));
      assertEquals(List.of(), result.errors());
      assertEquals(List.of(), keysUnder(prefix + "batch/"));
    });
  }

  private String copySource() {
    return prefix + "copy-source.json";
  }

  private PutObjectResponse putCopySource() {
    return s3.putObject(r -> r.bucket(BUCKET).key(copySource()).contentType("application/json").metadata(Map.of("origin", "source")),
        RequestBody.fromString("{\"copy\":true}"));
  }

  @Test
  void copyObjectMetadataCopy() throws Exception {
    scenario("copy-object-metadata-copy", () -> {
      PutObjectResponse source = putCopySource();
      String key = prefix + "copy-of-source.json";
      s3.copyObject(r -> r.sourceBucket(BUCKET).sourceKey(copySource()).destinationBucket(BUCKET).destinationKey(key));
      ResponseBytes<GetObjectResponse> got = get(key);
      assertEquals("{\"copy\":true}", got.asUtf8String());
      assertEquals(source.eTag(), got.response().eTag());
      assertEquals("application/json", got.response().contentType());
      assertEquals(Map.of("origin", "source"), got.response().metadata());
    });
  }

  @Test
  void copyObjectMetadataReplace() throws Exception {
    scenario("copy-object-metadata-replace", () -> {
      putCopySource();
      String key = prefix + "replaced-copy.txt";
      s3.copyObject(r -> r.sourceBucket(BUCKET).sourceKey(copySource()).destinationBucket(BUCKET).destinationKey(key)
          .metadataDirective(MetadataDirective.REPLACE).contentType("text/plain").metadata(Map.of("origin", "replaced")));
      ResponseBytes<GetObjectResponse> got = get(key);
      assertEquals("{\"copy\":true}", got.asUtf8String());
      assertEquals("text/plain", got.response().contentType());
      assertEquals(Map.of("origin", "replaced"), got.response().metadata());
    });
  }

  private static final int BIG_SIZE = 40 * 1024 * 1024;

  /** 40 MiB of deterministic bytes written 1 MiB at a time; returns its SHA-256. */
  private static String writePatternFile(Path path) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(path)) {
      for (int mib = 0; mib < BIG_SIZE / block.length; mib++) {
        for (int i = 0; i < block.length; i++) block[i] = (byte) ((i * 31 + mib * 7) ^ (i >> 8));
        out.write(block);
        sha.update(block);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String sha256Of(Path path) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(path)) {
      byte[] buffer = new byte[1 << 20];
      for (int n; (n = in.read(buffer)) > 0; ) sha.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  @Test
  void multipartUpload40MiB() throws Exception {
    scenario("multipart-upload-40mib", () -> {
      Path source = Files.createTempFile("smll-java-upload-", ".bin");
      try {
        writePatternFile(source);
        String key = prefix + "big.bin";
        transferManager.uploadFile(u -> u.source(source).putObjectRequest(p -> p.bucket(BUCKET).key(key))).completionFuture().join();
        HeadObjectResponse head = s3.headObject(r -> r.bucket(BUCKET).key(key));
        assertEquals((long) BIG_SIZE, head.contentLength());
        assertTrue(head.eTag().matches("\"[0-9a-f]{32}-\\d+\""), "multipart ETag expected, got " + head.eTag());
      } finally {
        Files.deleteIfExists(source);
      }
    });
  }

  @Test
  void multipartDownload40MiB() throws Exception {
    scenario("multipart-download-40mib", () -> {
      Path source = Files.createTempFile("smll-java-source-", ".bin");
      Path destination = Files.createTempFile("smll-java-download-", ".bin");
      try {
        String expected = writePatternFile(source);
        String key = prefix + "big-download.bin";
        transferManager.uploadFile(u -> u.source(source).putObjectRequest(p -> p.bucket(BUCKET).key(key))).completionFuture().join();
        Files.delete(destination);
        transferManager.downloadFile(d -> d.destination(destination).getObjectRequest(g -> g.bucket(BUCKET).key(key))).completionFuture().join();
        assertEquals(expected, sha256Of(destination));
      } finally {
        Files.deleteIfExists(source);
        Files.deleteIfExists(destination);
      }
    });
  }

  private void checksum(String id, ChecksumAlgorithm algorithm, Function<PutObjectResponse, String> sent, Function<GetObjectResponse, String> returned)
      throws Exception {
    scenario(id, () -> {
      String key = prefix + id + ".txt";
      String body = "checksummed by " + algorithm + "\n";
      PutObjectResponse put = s3.putObject(r -> r.bucket(BUCKET).key(key).checksumAlgorithm(algorithm), RequestBody.fromString(body));
      assertNotNull(sent.apply(put), "checksum in the PUT response");
      ResponseBytes<GetObjectResponse> got = get(GetObjectRequest.builder().key(key).checksumMode(ChecksumMode.ENABLED));
      assertEquals(body, got.asUtf8String());
      assertEquals(sent.apply(put), returned.apply(got.response()));
    });
  }

  @Test
  void checksumCrc32() throws Exception {
    checksum("checksum-crc32", ChecksumAlgorithm.CRC32, PutObjectResponse::checksumCRC32, GetObjectResponse::checksumCRC32);
  }

  @Test
  void checksumCrc32c() throws Exception {
    checksum("checksum-crc32c", ChecksumAlgorithm.CRC32_C, PutObjectResponse::checksumCRC32C, GetObjectResponse::checksumCRC32C);
  }

  @Test
  void checksumCrc64Nvme() throws Exception {
    try {
      Class.forName("software.amazon.awssdk.crt.checksums.CRC64NVME");
    } catch (ClassNotFoundException absent) {
      notExpressible("checksum-crc64nvme", "the Java SDK v2 computes CRC64NVME only with the optional software.amazon.awssdk.crt:aws-crt "
          + "dependency, which the S3 client and the Java-based transfer manager do not bring");
      return;
    }
    checksum("checksum-crc64nvme", ChecksumAlgorithm.CRC64_NVME, PutObjectResponse::checksumCRC64NVME, GetObjectResponse::checksumCRC64NVME);
  }

  @Test
  void checksumSha1() throws Exception {
    checksum("checksum-sha1", ChecksumAlgorithm.SHA1, PutObjectResponse::checksumSHA1, GetObjectResponse::checksumSHA1);
  }

  @Test
  void checksumSha256() throws Exception {
    checksum("checksum-sha256", ChecksumAlgorithm.SHA256, PutObjectResponse::checksumSHA256, GetObjectResponse::checksumSHA256);
  }

  @Test
  void presignedGet() throws Exception {
    scenario("presigned-get", () -> {
      String key = prefix + "presigned get.txt";
      putText(key, "fetched without an SDK");
      URI url;
      try (var presigner = Runner.presigner()) {
        url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5)).getObjectRequest(g -> g.bucket(BUCKET).key(key))).url().toURI();
      }
      HttpResponse<String> response = plainHttp.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("fetched without an SDK", response.body());
    });
  }

  @Test
  void presignedPut() throws Exception {
    scenario("presigned-put", () -> {
      String key = prefix + "presigned put.txt";
      URI url;
      try (var presigner = Runner.presigner()) {
        url = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5)).putObjectRequest(o -> o.bucket(BUCKET).key(key))).url().toURI();
      }
      HttpResponse<String> response = plainHttp.send(HttpRequest.newBuilder(url).PUT(HttpRequest.BodyPublishers.ofString("uploaded without an SDK")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("uploaded without an SDK", get(key).asUtf8String());
    });
  }

  @Test
  void noSuchKey() throws Exception {
    scenario("no-such-key", () -> {
      String key = prefix + "does-not-exist";
      assertS3Error("NoSuchKey", 404, () -> get(key));
      assertEquals(404, s3Error(() -> s3.headObject(r -> r.bucket(BUCKET).key(key))).statusCode());
    });
  }

  @Test
  void refusalOtherBucket() throws Exception {
    scenario("refusal-other-bucket", () -> {
      String key = prefix + "not-yours.txt";
      assertS3Error("AccessDenied", 403, () -> s3.putObject(r -> r.bucket(BUCKET2).key(key), RequestBody.fromString("x")));
      assertS3Error("AccessDenied", 403, () -> s3.getObjectAsBytes(r -> r.bucket(BUCKET2).key(key)));
    });
  }

  @Test
  void refusalWrongSecret() throws Exception {
    scenario("refusal-wrong-secret", () -> {
      String secret = Runner.SECRET_KEY;
      try (S3Client wrong = Runner.client(Runner.ACCESS_KEY, secret.substring(0, secret.length() - 4) + "XXXX")) {
        assertS3Error("SignatureDoesNotMatch", 403, () -> wrong.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "any")));
      }
    });
  }

  @Test
  void refusalUnknownAccessKey() throws Exception {
    scenario("refusal-unknown-access-key", () -> {
      try (S3Client unknown = Runner.client("AKIAUNKNOWNKEY000000", Runner.SECRET_KEY)) {
        assertS3Error("InvalidAccessKeyId", 403, () -> unknown.getObjectAsBytes(r -> r.bucket(BUCKET).key(prefix + "any")));
      }
    });
  }

  @Test
  void refusalListBuckets() throws Exception {
    scenario("refusal-list-buckets", () -> assertS3Error("AccessDenied", 403, () -> s3.listBuckets()));
  }

  @Test
  void refusalCreateBucket() throws Exception {
    scenario("refusal-create-bucket", () -> assertS3Error("AccessDenied", 403, () -> s3.createBucket(r -> r.bucket(BUCKET + "-new"))));
  }

  @Test
  void refusalAbortMultipartUpload() throws Exception {
    scenario("refusal-abort-multipart-upload", () -> {
      String key = prefix + "abandoned-upload.bin";
      String uploadId = s3.createMultipartUpload(r -> r.bucket(BUCKET).key(key)).uploadId();
      assertNotNull(uploadId);
      assertS3Error("AccessDenied", 403, () -> s3.abortMultipartUpload(r -> r.bucket(BUCKET).key(key).uploadId(uploadId)));
    });
  }
}
