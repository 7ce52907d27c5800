# Gatehouse on the official .NET 10 images: build with the SDK, run on the ASP.NET Core runtime.
#   docker build -t gatehouse .
#   docker run --rm --env-file migrate.env gatehouse migrate      (schema owner; see the README)
#   docker run -p 127.0.0.1:8080:8080 --env-file gatehouse.env gatehouse
# Not built by this repository's CI (it has no registry for the base images): see the README.
# Paths are relative to the repository root; the API project is src/Api.csproj.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The whole context (.dockerignore keeps it to the service's sources), so that shared build files
# beside the project (Directory.Build.props and the like) are there for the restore too.
COPY . .
# The migrations are embedded resources of Api.dll: the published folder is the whole service.
RUN dotnet publish src/Api.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's non-root user (APP_UID is set by the official images); nothing here needs root.
USER $APP_UID
ENV ASPNETCORE_ENVIRONMENT=Production \
    DOTNET_NOLOGO=1
# The official image listens on ASPNETCORE_HTTP_PORTS=8080; plain HTTP, TLS ends at the proxy.
EXPOSE 8080
ENTRYPOINT ["dotnet", "Api.dll"]
