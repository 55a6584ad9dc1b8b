# The self-host image: the single bundled file and nothing else.
# Build first: npm install && npm run build
# Node 24: a maintained LTS line (docs/OPERATIONS.md, "Node versions").
FROM node:24-slim
WORKDIR /app
COPY dist/guildhall.mjs /app/guildhall.mjs
RUN mkdir -p /data && chown node:node /data
ENV NODE_ENV=production \
    GUILDHALL_MODE=self_host \
    GUILDHALL_DATA_DIR=/data \
    PORT=3000
VOLUME ["/data"]
EXPOSE 3000
USER node
ENTRYPOINT ["node", "/app/guildhall.mjs"]
CMD ["serve"]
