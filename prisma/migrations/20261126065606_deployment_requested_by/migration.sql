-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
