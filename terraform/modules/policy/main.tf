# What the deployment is allowed to be, as data: labels, bucket settings, one
# service account per actor and every IAM grant at the narrowest scope. The root
# module creates resources from these outputs; the preconditions in outputs.tf
# refuse a plan that breaks the policy. No provider: `terraform test` runs offline.

locals {
  labels = merge(var.labels, {
    app         = "salesflow"
    environment = var.environment
    managed-by  = "terraform"
  })

  buckets = {
    # Files land here (salesflow upload) and leave once loaded (archive or rejected).
    landing = {
      name       = "${var.project_id}-${var.name_prefix}-landing"
      versioning = false
      lifecycle_rules = [
        { action = "AbortIncompleteMultipartUpload", storage_class = null, age = 1, with_state = "ANY", noncurrent_days = null },
      ]
    }
    # The Parquet lake (salesflow to-parquet + upload; salesflow aggregate reads it).
    lake = {
      name       = "${var.project_id}-${var.name_prefix}-lake"
      versioning = true
      lifecycle_rules = [
        { action = "Delete", storage_class = null, age = null, with_state = "ARCHIVED", noncurrent_days = var.noncurrent_version_days },
      ]
    }
    # Loaded files, kept: colder classes as they age, never deleted by a rule.
    archive = {
      name       = "${var.project_id}-${var.name_prefix}-archive"
      versioning = true
      lifecycle_rules = [
        { action = "SetStorageClass", storage_class = "NEARLINE", age = var.archive_storage_classes.nearline, with_state = "LIVE", noncurrent_days = null },
        { action = "SetStorageClass", storage_class = "COLDLINE", age = var.archive_storage_classes.coldline, with_state = "LIVE", noncurrent_days = null },
        { action = "SetStorageClass", storage_class = "ARCHIVE", age = var.archive_storage_classes.archive, with_state = "LIVE", noncurrent_days = null },
        { action = "Delete", storage_class = null, age = null, with_state = "ARCHIVED", noncurrent_days = var.noncurrent_version_days },
      ]
    }
    # Files the batch pipeline refused (bad layout, too many invalid rows): kept for a while, then expired.
    rejected = {
      name       = "${var.project_id}-${var.name_prefix}-rejected"
      versioning = false
      lifecycle_rules = [
        { action = "Delete", storage_class = null, age = var.rejected_retention_days, with_state = "ANY", noncurrent_days = null },
      ]
    }
  }

  service_accounts = {
    uploader  = "Uploads files to the landing bucket and the lake (salesflow upload)"
    publisher = "Publishes sales events to the sales topic (salesflow publish)"
    batch     = "Runs salesflow pipeline batch (Cloud Run job)"
    stream    = "Runs salesflow pipeline stream (Cloud Run service)"
    scheduler = "Starts the batch job every day (Cloud Scheduler)"
  }

  # Who may do what, where. A principal is "sa:<service account>", "agent:<Google
  # service agent>", "analysts" or "operators" (lists of members given to the root
  # module). Scopes: bucket, dataset, topic, subscription, crypto_key, run_job,
  # service_account — and project, for roles/bigquery.jobUser only (running a
  # query job has no narrower scope).
  grants = [
    { scope = "bucket", target = "landing", role = "roles/storage.objectCreator", principal = "sa:uploader" },
    { scope = "bucket", target = "landing", role = "roles/storage.objectViewer", principal = "sa:uploader" },
    { scope = "bucket", target = "landing", role = "roles/storage.legacyBucketReader", principal = "sa:uploader" },
    { scope = "bucket", target = "landing", role = "roles/storage.objectUser", principal = "sa:batch" },
    { scope = "bucket", target = "lake", role = "roles/storage.objectCreator", principal = "sa:uploader" },
    { scope = "bucket", target = "lake", role = "roles/storage.objectViewer", principal = "sa:uploader" },
    { scope = "bucket", target = "lake", role = "roles/storage.legacyBucketReader", principal = "sa:uploader" },
    { scope = "bucket", target = "lake", role = "roles/storage.objectViewer", principal = "analysts" },
    { scope = "bucket", target = "archive", role = "roles/storage.objectUser", principal = "sa:batch" },
    { scope = "bucket", target = "rejected", role = "roles/storage.objectUser", principal = "sa:batch" },
    { scope = "dataset", target = "warehouse", role = "roles/bigquery.dataEditor", principal = "sa:batch" },
    { scope = "dataset", target = "warehouse", role = "roles/bigquery.dataEditor", principal = "sa:stream" },
    { scope = "dataset", target = "reporting", role = "roles/bigquery.dataViewer", principal = "analysts" },
    { scope = "project", target = "project", role = "roles/bigquery.jobUser", principal = "sa:batch" },
    { scope = "project", target = "project", role = "roles/bigquery.jobUser", principal = "sa:stream" },
    { scope = "project", target = "project", role = "roles/bigquery.jobUser", principal = "analysts" },
    { scope = "topic", target = "sales", role = "roles/pubsub.publisher", principal = "sa:publisher" },
    { scope = "topic", target = "dead_letter", role = "roles/pubsub.publisher", principal = "agent:pubsub" },
    { scope = "subscription", target = "pipeline", role = "roles/pubsub.subscriber", principal = "sa:stream" },
    { scope = "subscription", target = "pipeline", role = "roles/pubsub.viewer", principal = "sa:stream" },
    { scope = "subscription", target = "pipeline", role = "roles/pubsub.subscriber", principal = "agent:pubsub" },
    { scope = "crypto_key", target = "data", role = "roles/cloudkms.cryptoKeyEncrypterDecrypter", principal = "agent:storage" },
    { scope = "crypto_key", target = "data", role = "roles/cloudkms.cryptoKeyEncrypterDecrypter", principal = "agent:bigquery" },
    { scope = "crypto_key", target = "data", role = "roles/cloudkms.cryptoKeyEncrypterDecrypter", principal = "agent:pubsub" },
    { scope = "crypto_key", target = "data", role = "roles/cloudkms.cryptoKeyEncrypterDecrypter", principal = "agent:artifactregistry" },
    { scope = "run_job", target = "batch", role = "roles/run.invoker", principal = "sa:scheduler" },
    { scope = "service_account", target = "uploader", role = "roles/iam.serviceAccountTokenCreator", principal = "operators" },
    { scope = "service_account", target = "publisher", role = "roles/iam.serviceAccountTokenCreator", principal = "operators" },
  ]

  # What each scope's targets may be: the resources the root module declares.
  targets = {
    bucket          = keys(local.buckets)
    dataset         = ["warehouse", "reporting"]
    topic           = ["sales", "dead_letter"]
    subscription    = ["pipeline", "dead_letter"]
    crypto_key      = ["data"]
    run_job         = ["batch"]
    service_account = keys(local.service_accounts)
    project         = ["project"]
  }

  principals = concat(
    [for name in keys(local.service_accounts) : "sa:${name}"],
    ["agent:storage", "agent:bigquery", "agent:pubsub", "agent:artifactregistry", "analysts", "operators"],
  )

  primitive_roles = ["roles/owner", "roles/editor", "roles/viewer"]
  project_roles   = ["roles/bigquery.jobUser"]
}
