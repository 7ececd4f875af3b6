import { Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import { MAX_IMAGE_TAG_LENGTH, validateImageTag } from '../src/jobs/private/image-tag';

describe('validateImageTag', () => {
  test.each([
    'latest',
    'v1.2.3',
    '2026-12-01_1',
    '_underscore-first',
    '0',
    'A'.repeat(MAX_IMAGE_TAG_LENGTH),
    'sha-4f2a9c1',
  ])('accepts %p', (tag) => {
    expect(() => validateImageTag('imageTag', tag)).not.toThrow();
  });

  test('passes tokens through (known only at deploy time)', () => {
    const stack = new Stack();
    expect(() => validateImageTag('imageTag', Lazy.string({ produce: () => 'not a tag!' }))).not.toThrow();
    expect(() => validateImageTag('imageTag', Fn.select(0, Fn.split(',', 'x,y')))).not.toThrow();
    expect(() => validateImageTag('imageTag', `prefix-${Token.asString(stack.account)}`)).not.toThrow();
  });

  test('fails on an empty tag, naming the prop and the fix', () =>
    expect(() => validateImageTag('imageTag', '')).toThrow(/^'imageTag' is '', which is not a valid image tag: it is empty\. Fix: use 1-128 letters/));

  test('fails on a tag longer than 128 characters', () =>
    expect(() => validateImageTag('imageTag', 'a'.repeat(129))).toThrow(/'imageTag' is 'a{40}\.\.\. \(129 characters\)'.*it is 129 characters long, and a tag has at most 128/));

  test('fails on a tag that starts with a period', () =>
    expect(() => validateImageTag('imageTag', '.hidden')).toThrow(/'imageTag' is '\.hidden'.*starts with '\.' or '-'/));

  test('fails on a tag that starts with a hyphen', () =>
    expect(() => validateImageTag('imageTag', '-rc1')).toThrow(/'imageTag' is '-rc1'.*starts with '\.' or '-'/));

  test('fails on a tag with a space or another character outside the grammar', () => {
    expect(() => validateImageTag('imageTag', 'v1 2')).toThrow(/'imageTag' is 'v1 2'.*characters other than letters, digits/);
    expect(() => validateImageTag('imageTag', 'release+1')).toThrow(/'imageTag' is 'release\+1'.*characters other than letters, digits/);
    expect(() => validateImageTag('imageTag', 'tést')).toThrow(/characters other than letters, digits/);
  });

  test('fails on a full image reference given as the tag', () =>
    expect(() => validateImageTag('imageTag', 'my-repo:v1')).toThrow(/'imageTag' is 'my-repo:v1'.*':' or '\/'.*pass only the tag/));

  test('fails on a digest given as the tag', () =>
    expect(() => validateImageTag('imageTag', `sha256:${'a'.repeat(64)}`)).toThrow(/looks like a digest, not a tag/));

  test('names whichever prop it is given', () =>
    expect(() => validateImageTag('containerImageTag', 'bad tag')).toThrow(/^'containerImageTag' is 'bad tag'/));
});
