import { Navigate, Route, Routes } from 'react-router';
import { AdminPage } from '../admin/AdminPage';
import { RequireAuth } from '../auth/RequireAuth';
import { SessionWatcher } from '../auth/SessionWatcher';
import { SignInPage } from '../auth/SignInPage';
import { DavPage } from '../dav/DavPage';
import { FileBrowserPage } from '../files/FileBrowserPage';
import { SettingsPage } from '../settings/SettingsPage';
import { PublicSharePage } from '../shares/PublicSharePage';
import { SharesPage } from '../shares/SharesPage';
import { TrashPage } from '../trash/TrashPage';
import { UploadProvider } from '../uploads/UploadProvider';
import { AppLayout } from './AppLayout';
import { NotFoundPage } from './NotFoundPage';
import { PhotosPage } from '../photos/PhotosPage';
import { TimelinePage } from '../photos/TimelinePage';

/** Every page and its URL; the server answers index.html for all of them (src/http/web.ts). */
export function App() {
  return (
    <>
      <SessionWatcher />
      <Routes>
        <Route path="/login" element={<SignInPage />} />
        <Route path="/s/:id/:password?" element={<PublicSharePage />} />
        <Route
          element={
            <RequireAuth>
              <UploadProvider>
                <AppLayout />
              </UploadProvider>
            </RequireAuth>
          }
        >
          <Route path="/" element={<Navigate to="/home" replace />} />
          <Route path="/home" element={<FileBrowserPage />} />
          <Route path="/shares" element={<SharesPage />} />
          <Route path="/webdav" element={<DavPage />} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/admin" element={<AdminPage />} />
          <Route path="/trash" element={<TrashPage />} />
          <Route path="/photos" element={<PhotosPage />} />
          <Route path="/photos/:id" element={<TimelinePage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}
