/**
 * s3rver as a bench target in its own process: `node s3rver-server.mjs PORT DATA_DIR BUCKET`
 * prints `listening PORT` once the bucket exists. It checks SigV4 signatures (key S3RVER/S3RVER).
 */
import S3rver from 's3rver';

const [port, directory, bucket] = process.argv.slice(2);
const server = new S3rver({ port: Number(port), address: '127.0.0.1', directory, silent: !process.env.BENCH_DEBUG, configureBuckets: [{ name: bucket }] });
const { port: actualPort } = await server.run();
process.stdout.write(`listening ${actualPort}\n`);
