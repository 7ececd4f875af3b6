package io.github.cdkscheduledbatch.consumer;

import io.github.cdkscheduledbatch.HardenedRepository;
import io.github.cdkscheduledbatch.HardenedRepositoryProps;
import io.github.cdkscheduledbatch.ReplicationDestination;
import java.util.List;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.kms.KeyProps;

/**
 * The Java consumer of the four-language proof (see test/consumers/README.md).
 *
 * <p>It builds the same stack as ../typescript/app.ts (same ids, same props, same order) from the built artifact;
 * ../run.sh compares the templates byte for byte.
 */
public final class ConsumerApp {
    private ConsumerApp() {
    }

    public static void main(final String[] args) {
        final String outdir = args.length > 0 ? args[0] : "cdk.out";
        // No CDKMetadata resource: it records the language runtime, which is the one thing that legitimately differs.
        final App app = new App(AppProps.builder().outdir(outdir).analyticsReporting(false).build());
        final Stack stack = new Stack(app, "ConsumerExample");

        // --- HardenedRepository: a KMS key crosses the language boundary, plus lists, numbers and a Duration.
        final Key key = new Key(stack, "ImagesKey", KeyProps.builder()
                .enableKeyRotation(true)
                .description("Encrypts container images at rest")
                .build());
        new HardenedRepository(stack, "Images", HardenedRepositoryProps.builder()
                .encryptionKey(key)
                .mutableTagPatterns(List.of("latest", "dev-*"))
                .maxTaggedImages(25)
                .untaggedImageExpiry(Duration.days(3))
                .build());
        // --- HardenedRepository with defaults, replicated: an array of structs crosses the boundary.
        new HardenedRepository(stack, "MirroredImages", HardenedRepositoryProps.builder()
                .replicationDestinations(List.of(ReplicationDestination.builder().region("eu-west-1").build()))
                .build());

        // --- Add the next construct here (same ids and props as ../typescript/app.ts).

        app.synth();
    }
}
