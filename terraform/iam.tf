# One service account per actor and every grant of modules/policy, each on its
# own resource. No keys: people act as the uploader or publisher by
# impersonation (operators), the runtimes run as theirs.

resource "google_service_account" "this" {
  for_each = module.policy.service_accounts

  account_id   = "${var.name_prefix}-${each.key}"
  display_name = "salesflow ${each.key}"
  description  = each.value

  depends_on = [google_project_service.this]
}

locals {
  # Principal → its members, keyed by something known at plan time (for_each keys).
  principal_members = merge(
    { for name, sa in google_service_account.this : "sa:${name}" => { "sa:${name}" = sa.member } },
    {
      "agent:storage"          = { "agent:storage" = data.google_storage_project_service_account.gcs.member }
      "agent:bigquery"         = { "agent:bigquery" = data.google_bigquery_default_service_account.bq.member }
      "agent:pubsub"           = { "agent:pubsub" = google_project_service_identity.pubsub.member }
      "agent:artifactregistry" = { "agent:artifactregistry" = google_project_service_identity.artifactregistry.member }
      "analysts"               = { for m in var.analyst_members : m => m }
      "operators"              = { for m in var.operator_members : m => m }
    },
  )

  bindings = merge([
    for g in module.policy.grants : {
      for key, member in local.principal_members[g.principal] :
      "${g.scope}/${g.target}/${g.role}/${key}" => merge(g, { member = member })
    }
  ]...)

  bindings_by_scope = {
    for scope in distinct([for g in module.policy.grants : g.scope]) :
    scope => { for k, b in local.bindings : k => b if b.scope == scope }
  }

  # Dataset access entries take the legacy role names (the API answers with them).
  dataset_roles = {
    "roles/bigquery.dataEditor" = "WRITER"
    "roles/bigquery.dataViewer" = "READER"
  }
  subscriptions = {
    pipeline    = google_pubsub_subscription.pipeline.name
    dead_letter = google_pubsub_subscription.dead_letter.name
  }
}

resource "google_storage_bucket_iam_member" "grant" {
  for_each = lookup(local.bindings_by_scope, "bucket", {})

  bucket = google_storage_bucket.this[each.value.target].name
  role   = each.value.role
  member = each.value.member
}

# Dataset grants are access entries, not IAM members: IAM members would remove
# the reporting dataset's authorization (google_bigquery_dataset_access docs).
resource "google_bigquery_dataset_access" "grant" {
  for_each = lookup(local.bindings_by_scope, "dataset", {})

  dataset_id     = google_bigquery_dataset.this[each.value.target].dataset_id
  role           = local.dataset_roles[each.value.role]
  user_by_email  = startswith(each.value.member, "user:") || startswith(each.value.member, "serviceAccount:") ? split(":", each.value.member)[1] : null
  group_by_email = startswith(each.value.member, "group:") ? split(":", each.value.member)[1] : null
  domain         = startswith(each.value.member, "domain:") ? split(":", each.value.member)[1] : null
}

# Running a query job is a project permission: the one project-level grant.
resource "google_project_iam_member" "job_user" {
  for_each = lookup(local.bindings_by_scope, "project", {})

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = each.value.member

  lifecycle {
    precondition {
      condition     = each.value.role == "roles/bigquery.jobUser"
      error_message = "Only roles/bigquery.jobUser is granted on the project."
    }
  }
}

resource "google_pubsub_topic_iam_member" "grant" {
  for_each = lookup(local.bindings_by_scope, "topic", {})

  topic  = google_pubsub_topic.this[each.value.target].name
  role   = each.value.role
  member = each.value.member
}

resource "google_pubsub_subscription_iam_member" "grant" {
  for_each = lookup(local.bindings_by_scope, "subscription", {})

  subscription = local.subscriptions[each.value.target]
  role         = each.value.role
  member       = each.value.member
}

resource "google_kms_crypto_key_iam_member" "grant" {
  for_each = lookup(local.bindings_by_scope, "crypto_key", {})

  crypto_key_id = google_kms_crypto_key.data.id
  role          = each.value.role
  member        = each.value.member
}

resource "google_cloud_run_v2_job_iam_member" "grant" {
  for_each = lookup(local.bindings_by_scope, "run_job", {})

  project  = var.project_id
  location = google_cloud_run_v2_job.batch.location
  name     = google_cloud_run_v2_job.batch.name
  role     = each.value.role
  member   = each.value.member
}

resource "google_service_account_iam_member" "grant" {
  for_each = lookup(local.bindings_by_scope, "service_account", {})

  service_account_id = google_service_account.this[each.value.target].name
  role               = each.value.role
  member             = each.value.member
}
