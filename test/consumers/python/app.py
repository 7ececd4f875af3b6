"""The Python consumer of the four-language proof (see test/consumers/README.md).

It builds the same stack as ../typescript/app.ts (same ids, same props, same order) from the *built* wheel,
installed into a fresh venv by ../run.sh, which then compares the templates byte for byte.

Usage: python app.py <outdir>
"""
import sys

from aws_cdk import App, Duration, Stack
from aws_cdk import aws_kms as kms
from cdk_scheduled_batch import HardenedRepository, ReplicationDestination

outdir = sys.argv[1] if len(sys.argv) > 1 else "cdk.out"
# No CDKMetadata resource: it records the language runtime, which is the one thing that legitimately differs.
app = App(outdir=outdir, analytics_reporting=False)
stack = Stack(app, "ConsumerExample")

# --- HardenedRepository: a KMS key crosses the language boundary, plus lists, numbers and a Duration.
key = kms.Key(stack, "ImagesKey", enable_key_rotation=True, description="Encrypts container images at rest")
HardenedRepository(
    stack,
    "Images",
    encryption_key=key,
    mutable_tag_patterns=["latest", "dev-*"],
    max_tagged_images=25,
    untagged_image_expiry=Duration.days(3),
)
# --- HardenedRepository with defaults, replicated: an array of structs crosses the boundary.
HardenedRepository(
    stack,
    "MirroredImages",
    replication_destinations=[ReplicationDestination(region="eu-west-1")],
)

# --- Add the next construct here (same ids and props as ../typescript/app.ts).

app.synth()
