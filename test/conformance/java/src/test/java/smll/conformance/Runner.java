package smll.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.util.VersionInfo;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The target from the SMLL_* variables, clients configured as SMLL documents them, and result files. */
final class Runner {
  private Runner() {}

  static String required(String name) {
    String value = System.getenv(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalStateException(name + " is not set: run this suite through \"npm run conformance\", or set the SMLL_* variables.");
    }
    return value;
  }

  static final String ENDPOINT = required("SMLL_ENDPOINT");
  static final String REGION = required("SMLL_REGION");
  static final String BUCKET = required("SMLL_BUCKET");
  static final String ACCESS_KEY = required("SMLL_ACCESS_KEY");
  static final String SECRET_KEY = required("SMLL_SECRET_KEY");
  static final String BUCKET2 = required("SMLL_BUCKET2");
  static final String TRANSPORT = ENDPOINT.startsWith("https:") ? "https" : "http";
  static final Path RESULTS = Path.of(required("SMLL_RESULTS_DIR"));
  static final String SDK_VERSION = "AWS SDK for Java v2 " + VersionInfo.SDK_VERSION + " (S3Client, S3TransferManager on the Java-based multipart S3AsyncClient)";
  private static final Set<String> CATALOGUE = loadCatalogue();

  private static Set<String> loadCatalogue() {
    try {
      String json = Files.readString(Path.of("../../../fixtures/conformance/scenarios.json"));
      Set<String> ids = new HashSet<>();
      Matcher m = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
      while (m.find()) ids.add(m.group(1));
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StaticCredentialsProvider credentials(String accessKey, String secretKey) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
  }

  static S3Client client(String accessKey, String secretKey) {
    return S3Client.builder()
        .endpointOverride(URI.create(ENDPOINT))
        .region(Region.of(REGION))
        .credentialsProvider(credentials(accessKey, secretKey))
        .forcePathStyle(true)
        .build();
  }

  static S3AsyncClient multipartAsyncClient() {
    return S3AsyncClient.builder()
        .endpointOverride(URI.create(ENDPOINT))
        .region(Region.of(REGION))
        .credentialsProvider(credentials(ACCESS_KEY, SECRET_KEY))
        .forcePathStyle(true)
        .multipartEnabled(true)
        .build();
  }

  static S3Presigner presigner() {
    return S3Presigner.builder()
        .endpointOverride(URI.create(ENDPOINT))
        .region(Region.of(REGION))
        .credentialsProvider(credentials(ACCESS_KEY, SECRET_KEY))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
        .build();
  }

  interface Body {
    void run() throws Exception;
  }

  /** Runs one scenario and writes its result; a failure is rethrown so JUnit reports it too. */
  static void scenario(String id, Body body) throws Exception {
    check(id);
    try {
      body.run();
    } catch (Throwable t) {
      write(id, "fail", t.getClass().getSimpleName() + ": " + t.getMessage());
      throw t;
    }
    write(id, "pass", "");
  }

  static void notExpressible(String id, String reason) {
    check(id);
    write(id, "not-expressible", reason);
  }

  private static void check(String id) {
    if (!CATALOGUE.contains(id)) throw new IllegalArgumentException(id + " is not a scenario of fixtures/conformance/scenarios.json");
  }

  private static void write(String id, String outcome, String detail) {
    String clipped = detail == null ? "" : detail.length() > 2000 ? detail.substring(0, 2000) : detail;
    String json = "{\n  \"sdk\": \"java\",\n  \"sdkVersion\": " + quote(SDK_VERSION) + ",\n  \"transport\": " + quote(TRANSPORT)
        + ",\n  \"scenario\": " + quote(id) + ",\n  \"outcome\": " + quote(outcome) + ",\n  \"detail\": " + quote(clipped) + "\n}\n";
    try {
      Files.createDirectories(RESULTS);
      Files.writeString(RESULTS.resolve(id + ".json"), json, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.append('"').toString();
  }
}
