import {
  IconFile,
  IconFileCode,
  IconFileSpreadsheet,
  IconFileText,
  IconFileTypePdf,
  IconFileZip,
  IconFolderFilled,
  IconMovie,
  IconMusic,
  IconPhoto,
  IconPresentation,
} from '@tabler/icons-react';

const KINDS: Array<[RegExp, typeof IconFile, string]> = [
  [/\.(jpe?g|png|gif|webp|avif|heic|heif|bmp|tiff?|svg|raw|cr2|nef|arw|dng)$/i, IconPhoto, 'teal'],
  [/\.(mp4|mkv|mov|avi|webm|m4v|wmv|flv)$/i, IconMovie, 'grape'],
  [/\.(mp3|flac|wav|ogg|m4a|aac|opus|wma)$/i, IconMusic, 'pink'],
  [/\.pdf$/i, IconFileTypePdf, 'red'],
  [/\.(zip|rar|7z|tar|gz|bz2|xz|zst|tgz)$/i, IconFileZip, 'orange'],
  [/\.(xlsx?|ods|csv|tsv)$/i, IconFileSpreadsheet, 'green'],
  [/\.(pptx?|odp|key)$/i, IconPresentation, 'orange'],
  [/\.(docx?|odt|rtf|txt|md|log)$/i, IconFileText, 'blue'],
  [/\.(js|ts|tsx|jsx|json|py|go|rs|java|c|cpp|h|sh|html|css|xml|ya?ml|toml|sql)$/i, IconFileCode, 'indigo'],
];

export function isImageName(name: string): boolean {
  return KINDS[0]![0].test(name);
}

/** Photos, videos and PDFs: the server may have a thumbnail of them (poster frames, first pages). */
export function mayHaveThumbnail(name: string): boolean {
  return isImageName(name) || KINDS[1]![0].test(name) || KINDS[3]![0].test(name);
}

/** An icon for a file or folder, by its extension; decorative (the name is always next to it). */
export function FileIcon({ name, folder, size = 22 }: { name: string; folder: boolean; size?: number }) {
  if (folder) return <IconFolderFilled size={size} color="var(--mantine-color-yellow-6)" aria-hidden />;
  const kind = KINDS.find(([pattern]) => pattern.test(name));
  const Icon = kind?.[1] ?? IconFile;
  return <Icon size={size} color={`var(--mantine-color-${kind?.[2] ?? 'gray'}-6)`} aria-hidden stroke={1.6} />;
}
