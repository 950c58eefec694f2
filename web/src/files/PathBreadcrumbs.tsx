import { Anchor, Breadcrumbs, Text } from '@mantine/core';
import { IconHome } from '@tabler/icons-react';
import { Link } from 'react-router';
import { toPathParam, type Segments } from '../api/uri';

/** Where this folder is; every level is a link that survives a reload (/home?path=/a/b). */
export function PathBreadcrumbs({ segments, hrefOf = folderHref }: { segments: Segments; hrefOf?: (segments: Segments) => string }) {
  const crumbs = [
    { label: 'My files', path: [] as string[] },
    ...segments.map((name, index) => ({ label: name, path: segments.slice(0, index + 1) })),
  ];
  return (
    <nav aria-label="Folder path">
      <Breadcrumbs separatorMargin={6} styles={{ root: { flexWrap: 'wrap', rowGap: 4 } }}>
        {crumbs.map((crumb, index) =>
          index === crumbs.length - 1 ? (
            <Text key={index} fw={600} size="sm" aria-current="page" className="file-name">
              {index === 0 ? <IconHome size={16} style={{ verticalAlign: 'text-bottom', marginRight: 4 }} aria-hidden /> : null}
              {crumb.label}
            </Text>
          ) : (
            <Anchor key={index} component={Link} to={hrefOf(crumb.path)} size="sm" className="file-name">
              {index === 0 ? <IconHome size={16} style={{ verticalAlign: 'text-bottom', marginRight: 4 }} aria-hidden /> : null}
              {crumb.label}
            </Anchor>
          ),
        )}
      </Breadcrumbs>
    </nav>
  );
}

export function folderHref(segments: Segments): string {
  return segments.length === 0 ? '/home' : `/home?${new URLSearchParams({ path: toPathParam(segments) }).toString()}`;
}
