// The `require` conditions.
import jestSetup = require('smll-storage/jest/setup');
import jestTeardown = require('smll-storage/jest/teardown');
import helpers = require('smll-storage/jest');

const env: helpers.S3Env = helpers.s3Env();
export = { jestSetup, jestTeardown, env, prefix: helpers.testPrefix() };
