/** macOS Finder's AppleDouble companions (`._name`) and folder settings (`.DS_Store`). */
export function isFinderJunk(name: string): boolean {
  return name === '.DS_Store' || name.startsWith('._');
}
