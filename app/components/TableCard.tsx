// A titled card holding one Polaris DataTable edge to edge: the shape every list-in-a-card
// on the admin's detail pages takes.
import { Card, DataTable, Text, type DataTableProps } from "@shopify/polaris";

export function TableCard({ title, ...table }: { title: string } & Pick<DataTableProps, "columnContentTypes" | "headings" | "rows">) {
  return (
    <Card padding="0">
      <div style={{ padding: 16 }}>
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
      </div>
      <DataTable {...table} />
    </Card>
  );
}
