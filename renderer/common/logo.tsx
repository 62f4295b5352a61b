// The organization's logo, or its name as a wordmark when it has none or it fails to load.
import { useState } from 'react';
import type { Organization } from '../../shared/domain/entities.js';

export function Logo({
  organization,
  className,
}: {
  organization: Organization;
  className?: string;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const src = organization.logo.trim();
  if (src === '' || failed === src) {
    return (
      <span className={`wordmark ${className ?? ''}`} aria-label={organization.name}>
        {organization.name}
      </span>
    );
  }
  return (
    <img
      className={`logo ${className ?? ''}`}
      src={src}
      alt={organization.name}
      onError={() => setFailed(src)}
    />
  );
}
