resource "google_storage_bucket" "this" {
  for_each = module.policy.buckets

  name                        = each.value.name
  location                    = var.data_location
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  deletion_policy             = "PREVENT"
  labels                      = merge(local.labels, { bucket = each.key })

  encryption {
    default_kms_key_name = google_kms_crypto_key.data.id
  }

  versioning {
    enabled = each.value.versioning
  }

  soft_delete_policy {
    retention_duration_seconds = module.policy.soft_delete_seconds
  }

  dynamic "lifecycle_rule" {
    for_each = each.value.lifecycle_rules
    content {
      action {
        type          = lifecycle_rule.value.action
        storage_class = lifecycle_rule.value.storage_class
      }
      condition {
        age                        = lifecycle_rule.value.age
        with_state                 = lifecycle_rule.value.with_state
        days_since_noncurrent_time = lifecycle_rule.value.noncurrent_days
      }
    }
  }

  # The Cloud Storage service agent must hold the key before a bucket can use it.
  depends_on = [google_kms_crypto_key_iam_member.grant]
}
