# The warehouse catalog as Terraform data, read from the files
# `npm run terraform:generate` writes from the code (warehouse/tables.ts,
# warehouse/views.ts). No provider: `terraform test` runs it offline.

locals {
  generated = "${path.module}/../.."

  table_entries = jsondecode(file("${local.generated}/tables.json"))
  view_entries  = jsondecode(file("${local.generated}/views.json"))

  tables = {
    for name, t in local.table_entries : name => {
      description     = t.description
      partition_field = t.partition_field
      clustering      = t.clustering
      schema          = file("${local.generated}/schemas/${name}.json")
    }
  }

  views = {
    for name, v in local.view_entries : name => {
      description = v.description
      layer       = v.layer
      reads       = v.reads
      query = templatefile("${local.generated}/views/${name}.sql", {
        project = var.project_id
        dataset = var.dataset_id
      })
    }
  }

  # Everything named gold_* (the gold views and the stream's gold_sales_per_minute
  # table) is what analysts read, through one view each in the reporting dataset.
  gold = sort([for name in concat(keys(local.tables), keys(local.views)) : name if startswith(name, "gold_")])

  reporting_views = {
    for name in local.gold : name => "SELECT * FROM `${var.project_id}.${var.dataset_id}.${name}`"
  }

  # Looker Studio Linking API: one report-create link per gold table or view,
  # reading the reporting dataset's view of the same name: the link
  # `salesflow looker` builds (warehouse/looker.ts), byte for byte. urlencode
  # writes a space as "+"; "%20" is what encodeURIComponent writes.
  looker_links = {
    for name in local.gold : name => join("", [
      "https://lookerstudio.google.com/reporting/create?",
      join("&", [
        for pair in concat(
          var.looker_template_report_id == "" ? [] : [["c.reportId", var.looker_template_report_id]],
          [
            ["r.reportName", "salesflow — ${name}"],
            ["ds.ds0.connector", "bigQuery"],
            ["ds.ds0.type", "TABLE"],
            ["ds.ds0.projectId", var.project_id],
            ["ds.ds0.datasetId", var.reporting_dataset_id],
            ["ds.ds0.tableId", name],
            ["ds.ds0.billingProjectId", var.billing_project_id],
          ],
        ) : "${pair[0]}=${replace(urlencode(pair[1]), "+", "%20")}"
      ]),
    ])
  }
}
