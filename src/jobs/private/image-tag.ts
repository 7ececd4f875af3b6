import { Token } from 'aws-cdk-lib';
import { ValidationError } from '../../private/prop-names';

/**
 * The tag grammar of Docker and the OCI distribution spec: a word character first, then up to 127 more word
 * characters, periods or hyphens (at most 128 in all). ECR's API allows 1-300 characters for `imageTag`
 * (API_ImageIdentifier), but an image is pushed to ECR with a Docker/OCI client, which refuses any other tag, so no
 * image can exist in ECR under a tag outside this grammar, and a job definition naming one fails to pull
 * (CannotPullContainerError) at run time.
 *
 * @see https://docs.docker.com/reference/cli/docker/image/tag/
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 * @see https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageIdentifier.html
 */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** The longest tag Docker and OCI registries accept. */
export const MAX_IMAGE_TAG_LENGTH = 128;

/**
 * Fails at synth on an image tag no image can carry, naming the prop, the value and the fix. Tokens (a tag from a
 * parameter or an attribute) pass through: they are only known at deploy time.
 *
 * @param prop the name of the prop the tag came from, e.g. `imageTag`
 * @param tag the tag, without the repository and the colon
 */
export function validateImageTag(prop: string, tag: string): void {
  if (Token.isUnresolved(tag)) return;
  if (IMAGE_TAG_PATTERN.test(tag)) return;
  const shown = tag.length > 40 ? `${tag.slice(0, 40)}... (${tag.length} characters)` : tag;
  let why: string;
  if (tag.length === 0) {
    why = 'it is empty';
  } else if (tag.length > MAX_IMAGE_TAG_LENGTH) {
    why = `it is ${tag.length} characters long, and a tag has at most ${MAX_IMAGE_TAG_LENGTH}`;
  } else if (tag.includes('@') || tag.startsWith('sha256:')) {
    why = 'it looks like a digest, not a tag';
  } else if (tag.includes(':') || tag.includes('/')) {
    why = 'it contains \':\' or \'/\', which belong to the repository part of an image name, not to the tag';
  } else if (/^[.-]/.test(tag)) {
    why = 'it starts with \'.\' or \'-\'';
  } else {
    why = 'it contains characters other than letters, digits, \'_\', \'.\' and \'-\'';
  }
  throw new ValidationError(`'${prop}' is '${shown}', which is not a valid image tag: ${why}. `
    + 'Fix: use 1-128 letters, digits, \'_\', \'.\' or \'-\', starting with a letter, digit or \'_\' (e.g. \'v1.2.3\' or \'2026-12-01_1\'); '
    + 'pass only the tag, without the repository or a digest.');
}
