#!/usr/bin/env bash
# Makes the library's aws-cdk-lib version range resolvable by Maven on our build machines.
#
# Why: the Java artifact's POM (written by jsii-pacmak) depends on aws-cdk-lib [2.264.0,3.0.0). Maven resolves a
# range from maven-metadata.xml, and the Maven Central we reach serves a stale one (its newest version: 2.263.0),
# so the range matches nothing and both `npx projen package:java` and the Java consumer fail with
# "No versions available for software.amazon.awscdk:aws-cdk-lib:jar:[2.264.0,3.0.0)". Also, Central has the 2.264.0
# POM but not its JAR; the in-range JARs it serves are 2.271.0 and 2.272.0.
#
# What: download aws-cdk-lib $JAVA_CDK_VERSION into the local repository (~/.m2 or $MAVEN_REPO_LOCAL) and record it
# in maven-metadata-local.xml, which Maven merges with the remote metadata when it resolves a range. Idempotent.
#
# jsii-pacmak builds Java with its own scratch local repository; point it at this one with
#   MAVEN_OPTS="-Dmaven.repo.local=$HOME/.m2/repository" npx projen package:java
set -euo pipefail

JAVA_CDK_VERSION="${JAVA_CDK_VERSION:-2.272.0}"
REPO="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
DIR="$REPO/software/amazon/awscdk/aws-cdk-lib"

if [ ! -f "$DIR/$JAVA_CDK_VERSION/aws-cdk-lib-$JAVA_CDK_VERSION.jar" ]; then
  mvn --batch-mode --quiet -Dmaven.repo.local="$REPO" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
    -Dartifact="software.amazon.awscdk:aws-cdk-lib:$JAVA_CDK_VERSION"
fi

mkdir -p "$DIR"
cat > "$DIR/maven-metadata-local.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by test/consumers/java/prime-maven.sh: Maven Central's metadata for aws-cdk-lib is stale here. -->
<metadata>
  <groupId>software.amazon.awscdk</groupId>
  <artifactId>aws-cdk-lib</artifactId>
  <versioning>
    <release>$JAVA_CDK_VERSION</release>
    <versions>
      <version>$JAVA_CDK_VERSION</version>
    </versions>
    <lastUpdated>20260101000000</lastUpdated>
  </versioning>
</metadata>
EOF
echo "[prime-maven] aws-cdk-lib $JAVA_CDK_VERSION is resolvable from $REPO"
